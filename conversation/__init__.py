"""The flows, written once for every channel: commands, utterances, buttons, dialogs.

Takes channel-neutral input and returns channel-neutral results; imports core/, never a
messenger library (tests/conversation/test_architecture.py checks this).
"""
