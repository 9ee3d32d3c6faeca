"""The command lines: `paraloom` and `paraloom-ceremony`."""
