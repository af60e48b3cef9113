"""Turning the content into notebooks: build, release checks, statistics, form cues, author preview."""
