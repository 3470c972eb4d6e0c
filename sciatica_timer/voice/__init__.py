"""The voice stop: the microphone listened to for the word "stop", on this computer only."""
