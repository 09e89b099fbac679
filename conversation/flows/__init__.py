"""The flows: commands, buttons and dialogs, written once."""
