// Relay feed check: plays one feed with hls.js (served by the relay, never a CDN).
// The HLS token comes from ?token=... or is minted with the operator token typed into the form;
// the operator token stays in this page's memory only.
(function () {
  "use strict";
  const code = decodeURIComponent(location.pathname.split("/").filter(Boolean).pop() || "");
  const video = document.getElementById("video");
  const stateEl = document.getElementById("state");
  const detailEl = document.getElementById("detail");
  document.getElementById("camera").textContent = code;

  function show(state, detail) {
    stateEl.textContent = state;
    detailEl.textContent = detail || "";
    document.body.dataset.state = state;
  }

  function play(base, token) {
    const src = base + "/hls/" + encodeURIComponent(code) + "/index.m3u8?token=" + encodeURIComponent(token);
    if (!window.Hls || !Hls.isSupported()) {
      show("unsupported", "this browser cannot play HLS with hls.js");
      return;
    }
    const hls = new Hls({ liveSyncDurationCount: 2, liveMaxLatencyDurationCount: 4, maxLiveSyncPlaybackRate: 1.5,
                          lowLatencyMode: false, manifestLoadingMaxRetry: 10, manifestLoadingRetryDelay: 1000 });
    show("connecting");
    hls.on(Hls.Events.MANIFEST_PARSED, function () { video.play().catch(function () {}); });
    hls.on(Hls.Events.FRAG_BUFFERED, function () { show("live"); });
    hls.on(Hls.Events.ERROR, function (_event, data) {
      const status = data.response && data.response.code;
      if (data.fatal) {
        show("offline", status ? "HTTP " + status : data.details);
        if (data.type === Hls.ErrorTypes.NETWORK_ERROR && status !== 403) {
          setTimeout(function () { show("retrying"); hls.startLoad(); }, 2000);
        }
      }
    });
    hls.loadSource(src);
    hls.attachMedia(video);
    window.relayCheck = { hls: hls, video: video };
  }

  async function mint(operatorToken) {
    const response = await fetch("/api/feeds/" + encodeURIComponent(code) + "/token", {
      method: "POST",
      headers: { "Authorization": "Bearer " + operatorToken, "Content-Type": "application/json" },
      body: JSON.stringify({ user: "relay-check", ttl_s: 3600 }),
    });
    if (!response.ok) {
      show("refused", "HTTP " + response.status);
      return;
    }
    const grant = await response.json();
    const base = grant.node_url && grant.node_url !== location.origin ? grant.node_url.replace(/\/$/, "") : "";
    play(base, grant.token);
  }

  const token = new URLSearchParams(location.search).get("token");
  if (token) {
    play("", token);
  } else {
    const form = document.getElementById("login");
    form.classList.remove("hidden");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      mint(document.getElementById("operator").value);
    });
  }
})();
