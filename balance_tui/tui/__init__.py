"""The Textual application. Talks to services only, never to storage models."""
