"""What runs in the trainee's kernel: the widgets, questions, scenarios and their answers panel."""
