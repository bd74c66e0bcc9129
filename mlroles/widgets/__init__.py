"""What a learner clicks: boards, explorers, the job-ad reviewer's parts and lesson quizzes.

Each widget is a view over a question from ``mlroles.checks``: it collects an answer and shows
what the question's check says. ``choices`` keeps a board's answers beside the notebook.
"""
