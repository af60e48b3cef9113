"""The trainee's study materials outside JupyterLab: the offline study site and the printable guide."""
