# The learners' nbgrader settings in the single-user image (hub/kubernetes/Dockerfile): the same as
# `make hub` writes into its state folder, with the exchange on the shared volume of values.yaml.
import os

c = get_config()  # noqa: F821
c.CourseDirectory.course_id = 'mlroles'
c.Exchange.root = '/srv/nbgrader/exchange'
c.Exchange.assignment_dir = os.path.join(os.environ.get("HOME") or os.getcwd(), "exercises")
