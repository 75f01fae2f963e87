"""The browser side of the live player (plain JavaScript run inside the player's iframe).

It reads ``window.NBS_PLAYER`` (set by player.py), loads hls.js from the relay, plays the signed
playlist near the live edge and keeps ``document.body.dataset.state`` in one of: connecting, live,
retrying, offline (tests and screen readers read it; the badge shows the translated label).
"""

PLAYER_JS = r"""
(function () {
  "use strict";
  var cfg = window.NBS_PLAYER;
  var video = document.getElementById("nbs-video");
  var badge = document.getElementById("nbs-badge");
  var reasonEl = document.getElementById("nbs-reason");
  var hls = null, attempt = 0, retryTimer = null, countdownTimer = null;
  var lastTime = -1, lastAdvance = Date.now(), failures = 0;

  function show(state, reason, label) {
    document.body.dataset.state = state;
    badge.dataset.state = state;
    badge.textContent = label || cfg.labels[state] || state;
    reasonEl.textContent = reason || "";
  }

  // The relay answers errors with {"detail": "..."}: its own words for why (shown as text, never HTML).
  function relayDetail(data) {
    try {
      var xhr = data && data.networkDetails;
      var body = xhr && typeof xhr.responseText === "string" ? xhr.responseText : "";
      var parsed = body ? JSON.parse(body) : null;
      return parsed && typeof parsed.detail === "string" ? parsed.detail.slice(0, 200) : "";
    } catch (e) {
      return "";
    }
  }

  function reasonFor(data) {
    var code = data && data.response ? data.response.code : undefined;
    var detail = relayDetail(data);
    var label;
    if (code === 403 || code === 401) label = cfg.labels.refused;
    else if (code === 404) label = cfg.labels.notFound;
    else if (code === 429) label = cfg.labels.busy;
    else if (code === 503) label = cfg.labels.starting;
    else if (code === 0 || code === undefined) {
      if (data && data.type === "mediaError") return cfg.labels.media;
      return cfg.initialReason || cfg.labels.unreachable;
    } else label = (cfg.initialReason ? cfg.initialReason + " " : "") + "(HTTP " + code + ")";
    return detail ? label + " (" + detail + ")" : label;
  }

  function teardown() {
    if (hls) { hls.destroy(); hls = null; }
    clearTimeout(retryTimer);
    clearInterval(countdownTimer);
  }

  function scheduleRetry(reason) {
    teardown();
    failures += 1;
    var delay = cfg.backoff[Math.min(attempt, cfg.backoff.length - 1)];
    attempt += 1;
    var state = failures >= 3 ? "offline" : "retrying";
    var remaining = delay;
    var tick = function () {
      var label = cfg.labels.retrying.replace("{seconds}", String(remaining));
      if (state === "offline") { show("offline", reason + " " + label); } else { show("retrying", reason, label); }
      remaining -= 1;
    };
    tick();
    countdownTimer = setInterval(tick, 1000);
    retryTimer = setTimeout(function () { clearInterval(countdownTimer); connect(); }, delay * 1000);
  }

  function onLive() {
    attempt = 0;
    failures = 0;
    lastAdvance = Date.now();
    show("live", "");
  }

  function hlsConfig() {
    return {
      lowLatencyMode: true,
      liveSyncDurationCount: 2,
      liveMaxLatencyDurationCount: 6,
      maxLiveSyncPlaybackRate: 1.5,
      liveDurationInfinity: true,
      backBufferLength: 10,
      maxBufferLength: cfg.lowBitrate ? 4 : 8,
      capLevelToPlayerSize: cfg.lowBitrate,
      startPosition: -1,
      manifestLoadPolicy: {default: {maxTimeToFirstByteMs: 8000, maxLoadTimeMs: 10000,
        timeoutRetry: {maxNumRetry: 1, retryDelayMs: 0, maxRetryDelayMs: 0},
        errorRetry: {maxNumRetry: 1, retryDelayMs: 1000, maxRetryDelayMs: 2000}}}
    };
  }

  function startHls() {
    if (!window.Hls || !window.Hls.isSupported()) {
      if (video.canPlayType("application/vnd.apple.mpegurl")) {
        video.src = cfg.playlistUrl;
        video.play().catch(function () {});
        return;
      }
      show("offline", cfg.labels.unsupported);
      return;
    }
    var Hls = window.Hls;
    hls = new Hls(hlsConfig());
    window.NBS_HLS = hls;  // for diagnostics: hls.latency is how far behind the live edge we play
    hls.on(Hls.Events.MANIFEST_PARSED, function () { video.play().catch(function () {}); });
    // Resuming a paused live view jumps back to the live edge: speeding up (at most 1.5x) needs a
    // forward buffer a slow machine may not have, and an officer wants now, not a replay.
    video.addEventListener("play", function () {
      if (hls && hls.liveSyncPosition != null && hls.latency > hls.targetLatency + 1.5) {
        video.currentTime = hls.liveSyncPosition;
      }
    });
    hls.on(Hls.Events.ERROR, function (_event, data) {
      if (!data.fatal) return;
      if (data.type === Hls.ErrorTypes.MEDIA_ERROR && attempt === 0) {
        attempt += 1;
        hls.recoverMediaError();
        return;
      }
      scheduleRetry(reasonFor(data));
    });
    hls.loadSource(cfg.playlistUrl);
    hls.attachMedia(video);
  }

  function connect() {
    show(cfg.startOffline && attempt === 0 ? "offline" : "connecting", cfg.initialReason);
    if (window.Hls) { startHls(); return; }
    var script = document.createElement("script");
    script.src = cfg.scriptUrl;
    script.onload = startHls;
    script.onerror = function () { script.remove(); scheduleRetry(cfg.labels.unreachable); };
    document.head.appendChild(script);
  }

  video.addEventListener("playing", onLive);
  setInterval(function () {
    if (document.body.dataset.state !== "live") return;
    if (video.currentTime !== lastTime) { lastTime = video.currentTime; lastAdvance = Date.now(); return; }
    if (!video.paused && Date.now() - lastAdvance > cfg.stallAfter * 1000) { scheduleRetry(cfg.labels.stalled); }
  }, 1000);
  connect();
})();
"""
