"""What the lesson notebooks in course/ call: one module per lesson (charts, widgets, worked examples)."""
