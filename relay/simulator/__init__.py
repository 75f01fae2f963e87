"""Synthetic RTSP cameras (GStreamer RTSP server) for demos, tests and benchmarks."""
