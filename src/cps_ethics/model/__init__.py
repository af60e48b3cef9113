"""The course as data, shared by every wing: content loading and checks, scenario graphs, scoring, versions."""
