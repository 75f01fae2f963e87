"""Synthetic RTSP cameras served by GStreamer's RTSP server.

Run ONLY with the system interpreter (/usr/bin/python3, which has python3-gi); the project's venv
cannot import gi. This file therefore imports nothing from the project.

    /usr/bin/python3 gst_server.py CONFIG.json

CONFIG.json: {"port": 0, "host": "127.0.0.1", "user": null, "password": null,
              "cameras": [{"code": "cam-001", "codec": "h264", "audio": null, "gop_s": 1,
                           "width": 1280, "height": 720, "fps": 25, "bitrate_kbps": 2000}, ...]}

Cameras with the same picture spec share ONE encoder: one media factory per spec is mounted at
every camera's path, and its media key is the spec (not the URL), so the shared media is reused
across mount points. Control runs over stdin/stdout, one JSON object per line:

    -> {"cmd": "stop", "code": "cam-001"}      camera "reboots": unmounted, its clients dropped
    -> {"cmd": "start", "code": "cam-001"}     camera is back
    -> {"cmd": "flash", "code": "cam-001", "on": true}   picture turns white (latency probe)
    -> {"cmd": "list"}
    <- {"ok": true, ...} or {"ok": false, "error": "..."}

The server exits when stdin closes, so it never outlives the process that started it.
"""
from __future__ import annotations

import json
import sys
import threading
import time

# Debian package of each GStreamer element and GObject namespace the simulator uses, so a missing
# one is named with the package that brings it (scripts/bootstrap.sh installs them all).
ELEMENT_PACKAGES = {
    "videotestsrc": "gstreamer1.0-plugins-base", "audiotestsrc": "gstreamer1.0-plugins-base",
    "audioconvert": "gstreamer1.0-plugins-base", "audioresample": "gstreamer1.0-plugins-base",
    "queue": "libgstreamer1.0-0",
    "clockoverlay": "gstreamer1.0-x", "timeoverlay": "gstreamer1.0-x",
    "x264enc": "gstreamer1.0-plugins-ugly", "x265enc": "gstreamer1.0-plugins-bad",
    "h264parse": "gstreamer1.0-plugins-bad", "h265parse": "gstreamer1.0-plugins-bad",
    "rtph264pay": "gstreamer1.0-plugins-good", "rtph265pay": "gstreamer1.0-plugins-good",
    "rtppcmapay": "gstreamer1.0-plugins-good", "rtpmp4gpay": "gstreamer1.0-plugins-good",
    "alawenc": "gstreamer1.0-plugins-good", "aacparse": "gstreamer1.0-plugins-good",
    "avenc_aac": "gstreamer1.0-libav",
}
NAMESPACE_PACKAGES = {"gi": "python3-gi", "Gst": "gir1.2-gstreamer-1.0", "GstRtspServer": "gir1.2-gst-rtsp-server-1.0"}
EXIT_MISSING = 3


def reply(message: dict) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def missing_reply(missing: dict[str, str]) -> dict:
    """The start-up failure for missing pieces: {"name": "package", ...} -> one readable sentence."""
    packages = sorted(set(missing.values()))
    names = ", ".join(sorted(missing))
    return {"ok": False, "event": "missing", "missing": missing, "packages": packages,
            "error": f"GStreamer is missing {names}; install the Debian package(s): "
                     f"apt-get install {' '.join(packages)}"}


try:
    import gi

    gi.require_version("Gst", "1.0")
    gi.require_version("GstRtspServer", "1.0")
    from gi.repository import GLib, Gst, GstRtspServer
except (ImportError, ValueError) as _exc:      # a missing python3-gi or typelib
    if __name__ != "__main__":
        raise
    _name = next((n for n in ("GstRtspServer", "Gst") if n in str(_exc)), "gi")
    reply(missing_reply({_name: NAMESPACE_PACKAGES[_name]}))
    sys.exit(EXIT_MISSING)

PATTERN_NORMAL = "smpte"
PATTERN_FLASH = "white"


def spec_key(camera: dict) -> str:
    fields = ("codec", "audio", "gop_s", "width", "height", "fps", "bitrate_kbps")
    return "-".join(str(camera.get(f)) for f in fields)


def video_branch(camera: dict) -> str:
    fps, width, height = int(camera["fps"]), int(camera["width"]), int(camera["height"])
    keyint = max(1, round(fps * float(camera["gop_s"])))
    bitrate = int(camera["bitrate_kbps"])
    source = (f"videotestsrc name=src is-live=true pattern={PATTERN_NORMAL} horizontal-speed=3 "
              f"! video/x-raw,width={width},height={height},framerate={fps}/1 "
              "! clockoverlay time-format=\"%H:%M:%S\" font-desc=\"Sans 36\" halignment=right "
              "! timeoverlay halignment=left font-desc=\"Sans 24\" ! queue max-size-buffers=3 ")
    if camera["codec"] == "h265":
        encode = (f"! x265enc tune=zerolatency speed-preset=ultrafast bitrate={bitrate} key-int-max={keyint} "
                  "! video/x-h265,profile=main ! h265parse ! rtph265pay name=pay0 pt=96 aggregate-mode=zero-latency ")
    else:
        encode = (f"! x264enc tune=zerolatency speed-preset=ultrafast bitrate={bitrate} key-int-max={keyint} "
                  "! video/x-h264,profile=high ! h264parse ! rtph264pay name=pay0 pt=96 aggregate-mode=zero-latency ")
    return source + encode


def audio_branch(camera: dict) -> str:
    audio = camera.get("audio")
    if not audio:
        return ""
    source = "audiotestsrc is-live=true wave=sine freq=440 volume=0.05 ! audioconvert ! audioresample "
    if audio == "pcma":
        return source + "! audio/x-raw,rate=8000,channels=1 ! alawenc ! rtppcmapay name=pay1 pt=8 "
    if audio == "aac":
        return source + "! audio/x-raw,rate=16000,channels=1 ! avenc_aac ! aacparse ! rtpmp4gpay name=pay1 pt=97 "
    raise ValueError(f"unknown audio '{audio}' (use null, pcma or aac)")


def required_elements(cameras: list[dict]) -> set[str]:
    """Every element the cameras' launch lines name (the first word of each `!`-separated step)."""
    names: set[str] = set()
    for camera in cameras:
        for step in (video_branch(camera) + "! " + audio_branch(camera)).split("!"):
            word = step.strip().split(" ", 1)[0]
            if word and "/" not in word:          # caps like video/x-raw are not elements
                names.add(word)
    return names


def missing_elements(cameras: list[dict]) -> dict[str, str]:
    """{element: Debian package} for the elements this GStreamer installation does not have."""
    return {name: ELEMENT_PACKAGES.get(name, "a GStreamer plugin package")
            for name in sorted(required_elements(cameras)) if Gst.ElementFactory.find(name) is None}


class SharedSpecFactory(GstRtspServer.RTSPMediaFactory):
    """One encoder for every camera with this spec: the media key ignores the camera's path."""

    def __init__(self, key: str, launch: str) -> None:
        super().__init__()
        self.key = key
        self.sources: list = []
        self.set_launch(launch)
        self.set_shared(True)
        # A live camera cannot seek: with this clock mode the media reports itself unseekable, so
        # a new client's "PLAY Range: npt=0-" no longer rewinds the timestamps of every other viewer.
        self.set_publish_clock_mode(GstRtspServer.RTSPPublishClockMode.CLOCK_AND_OFFSET)
        self.connect("media-configure", self._on_configure)

    def do_gen_key(self, url):
        return self.key

    def _on_configure(self, factory, media) -> None:
        source = media.get_element().get_by_name("src")
        if source is not None:
            self.sources.append(source)


class Simulator:
    def __init__(self, config: dict) -> None:
        self.config = config
        self.server = GstRtspServer.RTSPServer()
        self.server.set_address(config.get("host", "127.0.0.1"))
        self.server.set_service(str(config.get("port", 0)))
        self.mounts = self.server.get_mount_points()
        self.factories: dict[str, SharedSpecFactory] = {}
        self.camera_factory: dict[str, SharedSpecFactory] = {}
        self.stopped: set[str] = set()
        self._setup_auth()
        for camera in config["cameras"]:
            self._add_camera(camera)

    def _setup_auth(self) -> None:
        user, password = self.config.get("user"), self.config.get("password")
        self.permissions = None
        if not user:
            return
        auth = GstRtspServer.RTSPAuth()
        token = GstRtspServer.RTSPToken()
        token.set_string("media.factory.role", "camera-user")
        auth.add_basic(GstRtspServer.RTSPAuth.make_basic(user, password or ""), token)
        self.server.set_auth(auth)
        permissions = GstRtspServer.RTSPPermissions()
        permissions.add_role("camera-user")
        permissions.add_permission_for_role("camera-user", "media.factory.access", True)
        permissions.add_permission_for_role("camera-user", "media.factory.construct", True)
        self.permissions = permissions

    def _add_camera(self, camera: dict) -> None:
        key = spec_key(camera)
        factory = self.factories.get(key)
        if factory is None:
            launch = "( " + video_branch(camera) + audio_branch(camera) + ")"
            factory = SharedSpecFactory(key, launch)
            if self.permissions is not None:
                factory.set_permissions(self.permissions)
            self.factories[key] = factory
        self.camera_factory[camera["code"]] = factory
        self.mounts.add_factory("/" + camera["code"], factory)

    def attach(self) -> int:
        self.server.attach(None)
        return self.server.get_bound_port()

    # control commands, run on the GLib main loop
    def stop_camera(self, code: str) -> dict:
        self._factory_of(code)
        self.mounts.remove_factory("/" + code)
        self.stopped.add(code)
        dropped = self._drop_clients_of("/" + code)
        return {"ok": True, "dropped_clients": dropped}

    def start_camera(self, code: str) -> dict:
        factory = self._factory_of(code)
        if code in self.stopped:
            self.mounts.add_factory("/" + code, factory)
            self.stopped.discard(code)
        return {"ok": True}

    def flash(self, code: str, on: bool) -> dict:
        factory = self._factory_of(code)
        pattern = PATTERN_FLASH if on else PATTERN_NORMAL
        for source in factory.sources:
            Gst.util_set_object_arg(source, "pattern", pattern)
        return {"ok": True, "at": time.time(), "sources": len(factory.sources)}

    def list(self) -> dict:
        return {"ok": True, "cameras": sorted(self.camera_factory), "stopped": sorted(self.stopped),
                "encoders": len(self.factories)}

    def _factory_of(self, code: str) -> SharedSpecFactory:
        try:
            return self.camera_factory[code]
        except KeyError:
            raise ValueError(f"no camera '{code}'") from None

    def _drop_clients_of(self, path: str) -> int:
        dropped = []

        def on_media(session, session_media):
            matched, _ = session_media.matches(path)
            if matched:
                dropped.append(session)
            return GstRtspServer.RTSPFilterResult.KEEP

        def on_session(client, session):
            session.filter(on_media)
            return GstRtspServer.RTSPFilterResult.KEEP

        def on_client(server, client):
            before = len(dropped)
            client.session_filter(on_session)
            if len(dropped) > before:
                return GstRtspServer.RTSPFilterResult.REMOVE
            return GstRtspServer.RTSPFilterResult.KEEP

        self.server.client_filter(on_client)
        return len(dropped)


def handle(simulator: Simulator, request: dict) -> dict:
    cmd = request.get("cmd")
    try:
        if cmd == "stop":
            return simulator.stop_camera(request["code"])
        if cmd == "start":
            return simulator.start_camera(request["code"])
        if cmd == "flash":
            return simulator.flash(request["code"], bool(request.get("on", True)))
        if cmd == "list":
            return simulator.list()
        return {"ok": False, "error": f"unknown command '{cmd}'"}
    except (KeyError, ValueError) as exc:
        return {"ok": False, "error": str(exc)}


def read_commands(simulator: Simulator, loop: GLib.MainLoop) -> None:
    def run_on_loop(request: dict) -> bool:
        reply(handle(simulator, request))
        return False

    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        try:
            request = json.loads(line)
        except json.JSONDecodeError:
            reply({"ok": False, "error": "not JSON"})
            continue
        GLib.idle_add(run_on_loop, request)
    GLib.idle_add(loop.quit)


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        sys.stderr.write("usage: /usr/bin/python3 gst_server.py CONFIG.json\n")
        return 2
    with open(argv[1], encoding="utf-8") as handle_:
        config = json.load(handle_)
    Gst.init(None)
    missing = missing_elements(config["cameras"])
    if missing:
        reply(missing_reply(missing))
        return EXIT_MISSING
    simulator = Simulator(config)
    port = simulator.attach()
    loop = GLib.MainLoop()
    reply({"ok": True, "event": "ready", "port": port, "encoders": len(simulator.factories)})
    threading.Thread(target=read_commands, args=(simulator, loop), daemon=True).start()
    loop.run()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
