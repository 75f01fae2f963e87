// The owner's upload page: one footage request, resumable uploads with tus-js-client, Bahasa Indonesia.
(function () {
  "use strict";
  var base = window.location.pathname.replace(/\/+$/, "");
  var $ = function (id) { return document.getElementById(id); };
  var when = new Intl.DateTimeFormat("id-ID", { timeZone: "Asia/Jakarta", dateStyle: "long", timeStyle: "short" });
  var day = new Intl.DateTimeFormat("id-ID", { timeZone: "Asia/Jakarta", dateStyle: "long" });
  var clock = new Intl.DateTimeFormat("id-ID", { timeZone: "Asia/Jakarta", timeStyle: "short" });
  function span(start, end) {
    if (day.format(start) === day.format(end)) {
      return day.format(start) + ", " + clock.format(start) + " sampai " + clock.format(end) + " WIB";
    }
    return when.format(start) + " sampai " + when.format(end) + " WIB";
  }
  var REFUSED = {
    unknown: ["Tautan tidak dikenal", "Periksa kembali alamat dari surat atau pesan polisi. Jika masih gagal, hubungi Polsek yang mengirimnya."],
    expired: ["Tautan sudah kedaluwarsa", "Minta tautan baru kepada Polsek yang mengirim surat permintaan."],
    closed: ["Tautan sudah ditutup", "Rekaman untuk permintaan ini sudah dikirim, atau tautan diganti dengan yang baru. Hubungi Polsek jika Anda masih punya rekaman."],
    full: ["Jumlah berkas sudah penuh", "Permintaan ini sudah menerima berkas sebanyak yang diizinkan. Tekan Selesai, atau hubungi Polsek."],
    slow_down: ["Terlalu banyak permintaan", "Tunggu sebentar lalu muat ulang halaman ini."],
    failed: ["Halaman tidak dapat dimuat", "Periksa sambungan internet Anda lalu muat ulang halaman ini."]
  };
  var UPLOAD_ERROR = {
    too_large: "Berkas terlalu besar. Potong rekaman menjadi beberapa bagian lalu kirim satu per satu.",
    empty: "Berkas kosong. Ekspor ulang rekaman dari DVR.",
    storage: "Server sedang tidak dapat menyimpan berkas. Coba lagi beberapa menit lagi.",
    full: "Jumlah berkas untuk permintaan ini sudah penuh.",
    closed: "Tautan sudah ditutup.",
    expired: "Tautan sudah kedaluwarsa. Minta tautan baru kepada Polsek."
  };
  var state = { limit: 0, chunk: 1048576, active: 0 };

  function show(id) { $(id).classList.remove("hidden"); }
  function hide(id) { $(id).classList.add("hidden"); }
  function size(bytes) {
    if (bytes >= 1073741824) { return (bytes / 1073741824).toLocaleString("id-ID", { maximumFractionDigits: 1 }) + " GB"; }
    return Math.max(1, Math.round(bytes / 1048576)).toLocaleString("id-ID") + " MB";
  }
  function refused(reason) {
    var text = REFUSED[reason] || REFUSED.failed;
    hide("loading"); hide("request");
    $("refused-title").textContent = text[0];
    $("refused-text").textContent = text[1];
    show("refused");
  }
  function receivedItem(file) {
    var li = document.createElement("li");
    li.className = file.verdict === "accepted" ? "accepted" : "refused";
    var name = document.createElement("strong");
    name.textContent = file.name;
    var line = document.createElement("span");
    line.className = "state";
    line.textContent = file.verdict === "accepted"
      ? "Diterima, " + size(file.size_bytes) + " pada " + when.format(new Date(file.received_at)) + " WIB"
      : "Ditolak: berkas ini bukan rekaman video yang dapat dibaca. Ekspor ulang dari DVR dan kirim lagi.";
    li.appendChild(name); li.appendChild(line);
    if (file.sha256) {
      var hash = document.createElement("span");
      hash.className = "hash";
      hash.textContent = "SHA-256 " + file.sha256;
      li.appendChild(hash);
    }
    return li;
  }
  function render(info) {
    state.limit = info.max_upload_bytes; state.chunk = info.chunk_bytes;
    $("case").textContent = info.case_code;
    $("camera").textContent = info.camera_name;
    $("window").textContent = span(new Date(info.window_start), new Date(info.window_end));
    $("expires").textContent = when.format(new Date(info.expires_at)) + " WIB";
    $("limit").textContent = size(info.max_upload_bytes);
    var list = $("received");
    list.textContent = "";
    info.files.forEach(function (file) { list.appendChild(receivedItem(file)); });
    var accepted = info.files.filter(function (f) { return f.verdict === "accepted"; }).length;
    $("none-yet").classList.toggle("hidden", info.files.length > 0);
    $("finish").disabled = accepted === 0 || state.active > 0;
    hide("loading"); show("request");
  }
  function load() {
    return fetch(base + "/info", { cache: "no-store" }).then(function (res) {
      return res.json().then(function (body) {
        if (!res.ok) { refused(body.reason); return null; }
        render(body);
        return body;
      });
    }).catch(function () { refused("failed"); });
  }
  function reasonOf(error) {
    try { return JSON.parse(error.originalResponse.getBody()).reason; } catch (e) { return null; }
  }
  function send(file) {
    var li = document.createElement("li");
    var name = document.createElement("strong");
    name.textContent = file.name;
    var bar = document.createElement("progress");
    bar.max = 100; bar.value = 0;
    var line = document.createElement("span");
    line.className = "state";
    li.appendChild(name); li.appendChild(bar); li.appendChild(line);
    $("queue").appendChild(li);
    if (file.size > state.limit) {
      li.className = "refused"; bar.remove();
      line.textContent = UPLOAD_ERROR.too_large;
      return;
    }
    state.active += 1; $("finish").disabled = true;
    line.textContent = "Mengirim...";
    var upload = new tus.Upload(file, {
      endpoint: base + "/files",
      chunkSize: state.chunk,
      retryDelays: [0, 1000, 3000, 5000, 10000, 20000, 30000, 60000],
      metadata: { filename: file.name },
      storeFingerprintForResuming: true,
      removeFingerprintOnSuccess: true,
      onProgress: function (sent, total) {
        bar.value = Math.floor((sent / total) * 100);
        line.textContent = "Mengirim " + size(sent) + " dari " + size(total);
      },
      onShouldRetry: function (error) {
        var status = error.originalResponse ? error.originalResponse.getStatus() : 0;
        return status === 0 || status === 423 || status === 429 || status >= 500;
      },
      onError: function (error) {
        state.active -= 1;
        li.className = "refused";
        line.textContent = UPLOAD_ERROR[reasonOf(error)] || "Pengiriman gagal. Periksa sambungan lalu pilih berkas ini lagi: pengiriman dilanjutkan dari bagian terakhir.";
        load();
      },
      onSuccess: function () {
        state.active -= 1;
        li.remove();
        load();
      }
    });
    upload.findPreviousUploads().then(function (previous) {
      if (previous.length) { upload.resumeFromPreviousUpload(previous[0]); line.textContent = "Melanjutkan pengiriman..."; }
      upload.start();
    });
  }
  $("files").addEventListener("change", function (event) {
    Array.prototype.forEach.call(event.target.files, send);
    event.target.value = "";
  });
  $("finish").addEventListener("click", function () {
    $("finish").disabled = true;
    fetch(base + "/finish", { method: "POST" }).then(function (res) {
      if (res.ok) { hide("request"); show("done"); return; }
      return res.json().then(function (body) { refused(body.reason); });
    }).catch(function () { $("message").textContent = "Gagal menutup tautan. Periksa sambungan lalu tekan Selesai lagi."; $("finish").disabled = false; });
  });
  load();
}());
