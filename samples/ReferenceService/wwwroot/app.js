// Demo page of the reference service: starts generations through the async endpoint and follows each task
// over Server-Sent Events, falling back to polling the status endpoint every 3 s (as the original page did)
// when a stream cannot be used. Plain script, no build step, no dependencies.
"use strict";

(() => {
  const API = "/api/v1/settings/ai/veo";
  const POLL_INTERVAL_MS = 3000;
  // Browsers open at most 6 HTTP/1.1 connections per host and an EventSource holds one for as long as the task
  // runs; beyond this many streams the page polls instead, so the video downloads and API calls never starve.
  const MAX_LIVE_STREAMS = 4;
  const MAX_REMEMBERED_TASKS = 30;
  const PROMPTS_KEY = "veo-demo.prompts.v1";
  const TASKS_KEY = "veo-demo.tasks.v1";
  const FINAL_STATES = new Set(["SUCCESS", "FAILURE", "REVOKED"]);

  const MODELS = [
    { key: "veo_3_1_t2v_fast", label: "Veo 3.1 Fast" },
    { key: "veo_3_1_t2v", label: "Veo 3.1" },
    { key: "veo_3_1_t2v_lite", label: "Veo 3.1 Lite" },
  ];

  const ASPECTS = {
    portrait: { wire: "VIDEO_ASPECT_RATIO_PORTRAIT", label: "Portrait", ratio: "9:16", css: "9 / 16" },
    landscape: { wire: "VIDEO_ASPECT_RATIO_LANDSCAPE", label: "Landscape", ratio: "16:9", css: "16 / 9" },
  };

  const SAMPLE_PROMPTS = [
    {
      adId: 101,
      text: "A barista pours latte art in a sunlit café, slow push-in, steam curling from the cup, warm morning light. The last second holds on the cup with room for a logo.",
      model: "veo_3_1_t2v_fast",
      aspect: "portrait",
    },
    {
      adId: 102,
      text: "Trail running shoes splash through a mountain stream at golden hour, low tracking shot, droplets in slow motion, pine forest softly out of focus.",
      model: "veo_3_1_t2v_fast",
      aspect: "landscape",
    },
    {
      adId: 103,
      text: "A smartphone turns slowly on a turntable against a soft pastel backdrop, studio lighting, reflections gliding across the glass, clean product shot.",
      model: "veo_3_1_t2v_fast",
      aspect: "portrait",
    },
    {
      adId: 104,
      text: "Friends share a picnic in a city park, handheld documentary style, easy laughter, a bottle of sparkling lemonade catching the afternoon sun.",
      model: "veo_3_1_t2v",
      aspect: "landscape",
    },
  ];

  const BADGES = {
    SUBMITTING: "Sending",
    PENDING: "Queued",
    PROGRESS: "Generating",
    SUCCESS: "Ready",
    FAILURE: "Failed",
    REVOKED: "Cancelled",
    REJECTED: "Not started",
    LOST: "Unknown task",
  };

  const dom = {
    promptList: document.getElementById("prompt-list"),
    promptTemplate: document.getElementById("prompt-template"),
    addForm: document.getElementById("add-prompt-form"),
    newPromptText: document.getElementById("new-prompt-text"),
    newPromptMessage: document.getElementById("new-prompt-message"),
    restoreSamples: document.getElementById("restore-samples"),
    generationList: document.getElementById("generation-list"),
    cardTemplate: document.getElementById("card-template"),
    empty: document.getElementById("generations-empty"),
    summary: document.getElementById("generation-summary"),
    announcer: document.getElementById("announcer"),
  };

  /** @type {{adId: number, text: string, model: string, aspect: string}[]} */
  let prompts = loadPrompts();
  /** Every card on the page, newest first. */
  const generations = [];
  let liveStreams = 0;
  let nextLocalId = 1;

  // ---------------------------------------------------------------- storage

  function readStorage(key) {
    try {
      const raw = window.localStorage.getItem(key);
      return raw ? JSON.parse(raw) : null;
    } catch {
      return null; // private mode or corrupt data: start from the defaults
    }
  }

  function writeStorage(key, value) {
    try {
      window.localStorage.setItem(key, JSON.stringify(value));
    } catch {
      // Storage full or disabled: the page still works, it just forgets on reload.
    }
  }

  function loadPrompts() {
    const stored = readStorage(PROMPTS_KEY);
    if (Array.isArray(stored) && stored.length > 0 && stored.every(isPrompt)) {
      return stored;
    }
    return SAMPLE_PROMPTS.map((p) => ({ ...p }));
  }

  function isPrompt(p) {
    return p && Number.isInteger(p.adId) && typeof p.text === "string"
      && MODELS.some((m) => m.key === p.model) && Object.hasOwn(ASPECTS, p.aspect);
  }

  function savePrompts() {
    writeStorage(PROMPTS_KEY, prompts);
  }

  function saveTasks() {
    const remembered = generations
      .filter((g) => g.taskId)
      .slice(0, MAX_REMEMBERED_TASKS)
      .map((g) => ({
        taskId: g.taskId, adId: g.adId, prompt: g.prompt, modelKey: g.modelKey,
        aspect: g.aspect, seed: g.seed, createdAt: g.createdAt,
      }));
    writeStorage(TASKS_KEY, remembered);
  }

  // ---------------------------------------------------------------- helpers

  function refs(root) {
    const found = {};
    root.querySelectorAll("[data-ref]").forEach((el) => { found[el.dataset.ref] = el; });
    return found;
  }

  function modelKeyFor(model, aspect) {
    return `${model}_${aspect}`;
  }

  function randomSeed() {
    return window.crypto.getRandomValues(new Uint32Array(1))[0];
  }

  function formatDuration(totalSeconds) {
    const s = Math.max(0, Math.round(totalSeconds));
    const minutes = Math.floor(s / 60);
    const seconds = String(s % 60).padStart(2, "0");
    return `${minutes}:${seconds}`;
  }

  function shorten(text, max) {
    const flat = text.replace(/\s+/g, " ").trim();
    return flat.length <= max ? flat : `${flat.slice(0, max - 1).trimEnd()}…`;
  }

  function announce(message) {
    // Re-setting the same text is not announced; clear first so repeated messages are read too.
    dom.announcer.textContent = "";
    window.setTimeout(() => { dom.announcer.textContent = message; }, 50);
  }

  function statusUrl(taskId, suffix) {
    return `${API}/tasks/${encodeURIComponent(taskId)}/${suffix}`;
  }

  /** Turns a failed response into readable text, reading RFC 9457 problem details when the service sends them. */
  async function describeFailedResponse(response) {
    let text = `The service answered ${response.status}${response.statusText ? ` ${response.statusText}` : ""}.`;
    const lines = [];
    const type = response.headers.get("content-type") ?? "";
    if (type.includes("json")) {
      try {
        const problem = await response.json();
        if (problem && typeof problem === "object") {
          text = problem.detail || problem.title || text;
          if (problem.errors && typeof problem.errors === "object") {
            for (const [field, messages] of Object.entries(problem.errors)) {
              const list = Array.isArray(messages) ? messages : [messages];
              list.forEach((m) => lines.push(field ? `${field}: ${m}` : String(m)));
            }
          }
        }
      } catch {
        // Not valid JSON after all: keep the status line.
      }
    }
    const retryAfter = response.headers.get("retry-after");
    if (retryAfter && /^\d+$/.test(retryAfter)) {
      lines.push(`Try again in ${retryAfter} s.`);
    }
    return { text, lines };
  }

  // ---------------------------------------------------------------- prompts

  function renderPrompts() {
    dom.promptList.replaceChildren(...prompts.map(renderPrompt));
  }

  function renderPrompt(prompt) {
    const item = dom.promptTemplate.content.firstElementChild.cloneNode(true);
    const r = refs(item);
    const textId = `prompt-text-${prompt.adId}`;
    item.dataset.adId = String(prompt.adId);

    const hiddenPrefix = document.createElement("span");
    hiddenPrefix.className = "visually-hidden";
    hiddenPrefix.textContent = "Prompt of ";
    r.label.replaceChildren(hiddenPrefix, `Ad ${prompt.adId}`);
    r.label.htmlFor = textId;
    r.text.id = textId;
    r.text.value = prompt.text;
    r.message.id = `prompt-message-${prompt.adId}`;
    r.text.setAttribute("aria-describedby", r.message.id);
    r.remove.setAttribute("aria-label", `Remove the prompt of ad ${prompt.adId}`);
    r.generate.setAttribute("aria-label", `Generate video for ad ${prompt.adId}`);

    for (const model of MODELS) {
      r.model.append(new Option(model.label, model.key, false, model.key === prompt.model));
    }
    r.model.setAttribute("aria-label", `Model for ad ${prompt.adId}`);
    r.aspectLegend.textContent = `Format for ad ${prompt.adId}`;

    for (const [value, aspect] of Object.entries(ASPECTS)) {
      const label = document.createElement("label");
      const input = document.createElement("input");
      input.type = "radio";
      input.name = `aspect-${prompt.adId}`;
      input.value = value;
      input.checked = value === prompt.aspect;
      const caption = document.createElement("span");
      caption.textContent = `${aspect.label} ${aspect.ratio}`;
      label.append(input, caption);
      r.aspect.append(label);
    }

    const showKey = () => {
      r.modelKey.textContent = modelKeyFor(prompt.model, prompt.aspect);
      r.modelKey.title = "video_model_key sent to the service";
    };
    showKey();

    r.text.addEventListener("input", () => {
      prompt.text = r.text.value;
      r.message.textContent = "";
      r.text.removeAttribute("aria-invalid");
      savePrompts();
    });
    r.model.addEventListener("change", () => {
      prompt.model = r.model.value;
      showKey();
      savePrompts();
    });
    r.aspect.addEventListener("change", (event) => {
      prompt.aspect = event.target.value;
      showKey();
      savePrompts();
    });
    r.remove.addEventListener("click", () => {
      prompts = prompts.filter((p) => p !== prompt);
      savePrompts();
      item.remove();
      announce(`Prompt of ad ${prompt.adId} removed.`);
      dom.newPromptText.focus();
    });
    r.generate.addEventListener("click", () => {
      if (prompt.text.trim() === "") {
        r.text.setAttribute("aria-invalid", "true");
        showMessage(r.message, "Write a prompt first.", null, false);
        r.text.focus();
        return;
      }
      const generation = startGeneration(prompt);
      showMessage(r.message, "Started. ", { text: "Follow its progress", href: `#${generation.card.id}` });
    });
    return item;
  }

  /** Shows a note under a field; a link can point at the card that the action created. */
  function showMessage(element, text, link = null, ok = true) {
    element.classList.toggle("is-ok", ok);
    element.replaceChildren(text);
    if (link) {
      const anchor = document.createElement("a");
      anchor.href = link.href;
      anchor.textContent = link.text;
      element.append(anchor);
    }
  }

  function addPrompt(event) {
    event.preventDefault();
    const text = dom.newPromptText.value.trim();
    if (text === "") {
      dom.newPromptText.setAttribute("aria-invalid", "true");
      showMessage(dom.newPromptMessage, "Write the prompt to add.", null, false);
      dom.newPromptText.focus();
      return;
    }
    const adId = Math.max(100, ...prompts.map((p) => p.adId)) + 1;
    const prompt = { adId, text, model: MODELS[0].key, aspect: "portrait" };
    prompts.push(prompt);
    savePrompts();
    const item = renderPrompt(prompt);
    dom.promptList.append(item);
    dom.newPromptText.value = "";
    dom.newPromptText.removeAttribute("aria-invalid");
    showMessage(dom.newPromptMessage, `Added as ad ${adId}.`);
    item.querySelector(".generate").focus();
  }

  function restoreSamples() {
    prompts = SAMPLE_PROMPTS.map((p) => ({ ...p }));
    savePrompts();
    renderPrompts();
    announce("Sample prompts restored.");
  }

  // ---------------------------------------------------------------- generations

  function createGeneration(fields) {
    const card = dom.cardTemplate.content.firstElementChild.cloneNode(true);
    const generation = {
      localId: nextLocalId++,
      taskId: null,
      state: "SUBMITTING",
      status: null,
      eta: null, // { deadline (ms since epoch) } from the last eta_seconds
      transport: null, // "stream" | "polling"
      pollReason: null, // "capacity" | "stream-failed"
      source: null,
      pollTimer: 0,
      pollFailures: 0,
      cancelRequested: false,
      cancelNote: null,
      card,
      r: refs(card),
      ...fields,
    };
    const { r } = generation;
    const aspect = ASPECTS[generation.aspect] ?? ASPECTS.portrait;
    const titleId = `generation-title-${generation.localId}`;

    card.id = `generation-${generation.localId}`;
    card.tabIndex = -1; // the "Follow its progress" link moves focus here
    card.dataset.adId = String(generation.adId);
    r.article.setAttribute("aria-labelledby", titleId);
    r.title.id = titleId;
    r.title.textContent = `Ad ${generation.adId} · ${aspect.ratio}`;
    r.title.title = `${aspect.label} ${aspect.ratio}`;
    r.prompt.textContent = shorten(generation.prompt, 220);
    r.prompt.title = generation.prompt;
    r.media.style.setProperty("--media-aspect", aspect.css);
    r.progress.setAttribute("aria-label", `Progress of ad ${generation.adId}`);
    r.cancel.setAttribute("aria-label", `Cancel the generation for ad ${generation.adId}`);
    r.dismiss.setAttribute("aria-label", `Dismiss the card of ad ${generation.adId}`);
    renderMeta(generation);

    r.cancel.addEventListener("click", () => cancelGeneration(generation));
    r.dismiss.addEventListener("click", () => dismissGeneration(generation));

    generations.unshift(generation);
    dom.generationList.prepend(card);
    updateSummary();
    return generation;
  }

  function renderMeta(generation) {
    const parts = [generation.modelKey, `seed ${generation.seed}`];
    if (generation.taskId) {
      parts.push(`task ${generation.taskId}`);
    }
    generation.r.meta.textContent = parts.join(" · ");
    if (generation.taskId) {
      generation.card.dataset.taskId = generation.taskId;
    }
  }

  /** Adds a card at once and submits in the background, so quick clicks on several prompts never wait on each other. */
  function startGeneration(prompt) {
    const generation = createGeneration({
      adId: prompt.adId,
      prompt: prompt.text.trim(),
      modelKey: modelKeyFor(prompt.model, prompt.aspect),
      aspect: prompt.aspect,
      seed: randomSeed(),
      createdAt: Date.now(),
    });
    renderState(generation);
    submit(generation);
    return generation;
  }

  async function submit(generation) {
    let response;
    try {
      response = await fetch(`${API}/generate-video-async`, {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify({
          prompt: generation.prompt,
          aspect_ratio: ASPECTS[generation.aspect].wire,
          video_model_key: generation.modelKey,
          seed: generation.seed,
          ad_id: generation.adId,
        }),
      });
    } catch (error) {
      reject(generation, { text: `Could not reach the service: ${error.message}.`, lines: [] });
      return;
    }

    if (!response.ok) {
      reject(generation, await describeFailedResponse(response));
      return;
    }

    let body;
    try {
      body = await response.json();
    } catch {
      reject(generation, { text: "The service accepted the request but its answer was not JSON.", lines: [] });
      return;
    }
    if (!body || body.success === false || typeof body.task_id !== "string" || body.task_id === "") {
      reject(generation, { text: body?.message || "The service did not return a task id.", lines: [] });
      return;
    }

    generation.taskId = body.task_id;
    if (Number.isFinite(body.estimated_time_seconds)) {
      generation.eta = { deadline: Date.now() + body.estimated_time_seconds * 1000 };
    }
    generation.state = "PENDING";
    generation.r.status.textContent = body.message || "Queued.";
    renderMeta(generation);
    renderState(generation);
    saveTasks();
    follow(generation);
  }

  function reject(generation, problem) {
    generation.state = "REJECTED";
    generation.r.status.textContent = "The service did not start this generation.";
    showProblem(generation, problem.text, problem.lines);
    renderState(generation);
    announce(`Ad ${generation.adId}: not started. ${problem.text}`);
  }

  function showProblem(generation, text, lines = [], code = null) {
    const box = generation.r.problem;
    const message = document.createElement("p");
    message.className = "problem-text";
    message.textContent = text;
    box.replaceChildren(message);
    if (code !== null && code !== undefined && code !== "") {
      const codeLine = document.createElement("p");
      codeLine.className = "problem-code";
      codeLine.textContent = `Error code ${code}`;
      box.append(codeLine);
    }
    if (lines.length > 0) {
      const list = document.createElement("ul");
      lines.forEach((line) => {
        const li = document.createElement("li");
        li.textContent = line;
        list.append(li);
      });
      box.append(list);
    }
    box.hidden = false;
  }

  // ---------------------------------------------------------------- following a task

  function follow(generation) {
    if (!("EventSource" in window)) {
      startPolling(generation, "stream-failed", "This browser has no EventSource");
    } else if (liveStreams >= MAX_LIVE_STREAMS) {
      startPolling(generation, "capacity");
    } else {
      openStream(generation);
    }
  }

  function openStream(generation) {
    liveStreams++;
    generation.transport = "stream";
    generation.pollReason = null;
    renderTransport(generation);

    const source = new EventSource(statusUrl(generation.taskId, "events"));
    generation.source = source;
    const onStatus = (event) => {
      let status;
      try {
        status = JSON.parse(event.data);
      } catch {
        return; // a keep-alive or foreign event; the next status will come
      }
      applyStatus(generation, status);
    };
    source.addEventListener("message", onStatus);
    source.addEventListener("status", onStatus);
    // The task's server was lost or its work is moving to another one: the stream stays open and resumes by itself.
    source.addEventListener("unavailable", () => {
      announce(`Ad ${generation.adId}: the task is moving to another server; live updates resume shortly.`);
    });
    source.addEventListener("error", () => {
      if (generation.source !== source) {
        return;
      }
      closeStream(generation);
      if (!isFinal(generation.state)) {
        // The stream broke before the task ended (proxy, server restart, blocked route): poll instead.
        startPolling(generation, "stream-failed", "The live stream was interrupted");
        announce(`Ad ${generation.adId}: live updates unavailable, checking every 3 seconds instead.`);
      }
    });
  }

  function closeStream(generation) {
    if (!generation.source) {
      return;
    }
    generation.source.close();
    generation.source = null;
    liveStreams--;
    promoteWaitingGeneration();
  }

  /** A stream slot came free: move the oldest task that polls only for want of a slot onto a stream. */
  function promoteWaitingGeneration() {
    const waiting = generations
      .filter((g) => g.transport === "polling" && g.pollReason === "capacity" && !isFinal(g.state))
      .at(-1);
    if (waiting && liveStreams < MAX_LIVE_STREAMS) {
      stopPolling(waiting);
      openStream(waiting);
    }
  }

  function startPolling(generation, reason, detail) {
    generation.transport = "polling";
    generation.pollReason = reason;
    generation.pollDetail = detail ?? null;
    renderTransport(generation);
    stopPolling(generation);
    pollOnce(generation);
  }

  function stopPolling(generation) {
    window.clearTimeout(generation.pollTimer);
    generation.pollTimer = 0;
  }

  async function pollOnce(generation) {
    generation.pollTimer = 0;
    try {
      const response = await fetch(statusUrl(generation.taskId, "status"), {
        headers: { Accept: "application/json" },
        cache: "no-store",
      });
      if (response.status === 404) {
        lose(generation);
        return;
      }
      if (!response.ok) {
        const problem = await describeFailedResponse(response);
        throw new Error(problem.text);
      }
      generation.pollFailures = 0;
      renderTransport(generation);
      applyStatus(generation, await response.json());
    } catch (error) {
      generation.pollFailures++;
      renderTransport(generation, `Cannot reach the service (${error.message}); trying again in 3 s.`);
    }
    if (generation.transport === "polling" && !isFinal(generation.state) && generation.state !== "LOST") {
      generation.pollTimer = window.setTimeout(() => pollOnce(generation), POLL_INTERVAL_MS);
    }
  }

  function lose(generation) {
    closeStream(generation);
    stopPolling(generation);
    generation.state = "LOST";
    generation.transport = null;
    generation.r.status.textContent = "The service does not know this task (it may run on other data).";
    renderTransport(generation);
    renderState(generation);
  }

  function isFinal(state) {
    return FINAL_STATES.has(state) || state === "REJECTED" || state === "LOST";
  }

  function applyStatus(generation, status) {
    if (!status || typeof status !== "object" || typeof status.state !== "string") {
      return;
    }
    const previous = generation.state;
    if (isFinal(previous) && !FINAL_STATES.has(status.state)) {
      return; // a late, stale update after the end
    }
    generation.status = status;
    generation.state = status.state;
    if (Number.isFinite(status.eta_seconds)) {
      generation.eta = { deadline: Date.now() + status.eta_seconds * 1000 };
    } else if (status.eta_seconds === null && status.state === "PROGRESS") {
      generation.eta = null;
    }
    generation.r.status.textContent = status.status || BADGES[status.state] || status.state;
    renderState(generation);

    if (FINAL_STATES.has(status.state)) {
      closeStream(generation);
      stopPolling(generation);
      if (previous !== status.state) {
        announceFinal(generation);
      }
    }
  }

  function announceFinal(generation) {
    const s = generation.status;
    if (generation.state === "SUCCESS") {
      announce(`Ad ${generation.adId}: video ready.`);
    } else if (generation.state === "FAILURE") {
      announce(`Ad ${generation.adId}: generation failed. ${s?.error?.message ?? s?.status ?? ""}`);
    } else if (generation.state === "REVOKED") {
      announce(`Ad ${generation.adId}: generation cancelled.`);
    }
  }

  // ---------------------------------------------------------------- rendering a card

  function renderState(generation) {
    const { r, card, state, status } = generation;
    card.dataset.state = state;
    r.badge.textContent = BADGES[state] ?? state;

    const final = isFinal(state);
    let progress = Number.isFinite(status?.progress) ? Math.min(100, Math.max(0, status.progress)) : 0;
    if (state === "SUCCESS") {
      progress = 100;
    }
    r.progress.setAttribute("aria-valuenow", String(Math.round(progress)));
    r.progress.setAttribute("aria-valuetext", `${Math.round(progress)}% · ${BADGES[state] ?? state}`);
    r.progressFill.style.width = `${progress}%`;

    r.cancel.hidden = final || !generation.taskId;
    r.cancel.disabled = generation.cancelRequested;
    r.dismiss.hidden = !final;

    if (state === "FAILURE") {
      const error = status?.error;
      const text = error?.message || status?.status || "The generation failed, and the service gave no reason.";
      r.status.textContent = "Generation failed.";
      showProblem(generation, text, [], error?.code);
    } else if (state === "REVOKED") {
      r.status.textContent = "Cancelled before it finished.";
    } else if (state === "SUCCESS") {
      showVideo(generation);
    }

    if (final) {
      r.transport.hidden = true;
    }
    renderNotes(generation);
    renderCountdown(generation);
    updateSummary();
  }

  function showVideo(generation) {
    const { r, status } = generation;
    const url = status?.result?.video_url;
    if (!url) {
      showProblem(generation, "The task finished but the service sent no video URL.");
      return;
    }
    if (r.media.querySelector("video")) {
      return;
    }
    const video = document.createElement("video");
    video.src = url;
    video.controls = true;
    video.muted = true;
    video.loop = true;
    video.autoplay = true;
    video.playsInline = true;
    video.preload = "auto";
    video.setAttribute("aria-label", `Generated video for ad ${generation.adId}`);
    video.addEventListener("error", () => {
      const code = video.error ? ` (media error ${video.error.code})` : "";
      showProblem(generation, `The video could not be loaded${code}. Try the download link.`);
    });
    r.media.replaceChildren(video);
    r.media.hidden = false;

    r.download.href = url;
    r.download.setAttribute("download", `ad-${generation.adId}-${status.result.generation_id ?? generation.taskId}.mp4`);
    r.download.setAttribute("aria-label", `Download MP4 of ad ${generation.adId}`);
    r.download.hidden = false;

    const seconds = Number(status.result.generation_time);
    if (Number.isFinite(seconds)) {
      r.status.textContent = `Ready, generated in ${seconds < 10 ? seconds.toFixed(1) : Math.round(seconds)} s.`;
    }
  }

  /** What the service adds beside the state: its warnings, and what a cancel did (Veo may still finish and bill). */
  function renderNotes(generation) {
    const { status } = generation;
    const warnings = Array.isArray(status?.warnings) ? status.warnings.map(String) : [];
    // A cancel made elsewhere (API, another tab) has no answer here: the service's own text says what happened.
    const revokedNote = generation.state === "REVOKED" ? (generation.cancelNote ?? status?.status) : generation.cancelNote;
    const notes = [...warnings, revokedNote].filter((n) => n);
    const list = generation.r.notes;
    if (list.childElementCount === notes.length && notes.every((n, i) => list.children[i].textContent === n)) {
      return;
    }
    list.replaceChildren(...notes.map((note) => {
      const item = document.createElement("li");
      item.textContent = note;
      return item;
    }));
    list.hidden = notes.length === 0;
  }

  function renderTransport(generation, override) {
    const el = generation.r.transport;
    let text = "";
    let warn = false;
    if (override) {
      text = override;
      warn = true;
    } else if (generation.transport === "stream") {
      text = "Live updates over Server-Sent Events.";
    } else if (generation.transport === "polling" && generation.pollReason === "capacity") {
      text = `Checking every 3 s: ${MAX_LIVE_STREAMS} live streams are already open.`;
    } else if (generation.transport === "polling") {
      text = `${generation.pollDetail ?? "Live updates unavailable"}: polling the status every 3 s instead.`;
      warn = true;
    }
    el.textContent = text;
    el.classList.toggle("transport-warning", warn);
    el.hidden = text === "" || isFinal(generation.state);
    generation.card.dataset.transport = generation.transport ?? "";
  }

  function renderCountdown(generation) {
    const { r, state, status, eta } = generation;
    let text = "";
    if (state === "PENDING" || state === "PROGRESS") {
      const parts = [];
      if (state === "PENDING" && Number.isInteger(status?.queue_position) && status.queue_position > 0) {
        parts.push(`#${status.queue_position} in queue`);
      }
      if (eta) {
        const left = (eta.deadline - Date.now()) / 1000;
        parts.push(left > 0.5 ? `about ${formatDuration(left)} left` : "finishing…");
      }
      text = parts.join(" · ");
    }
    if (r.countdown.textContent !== text) {
      r.countdown.textContent = text;
    }
  }

  function updateSummary() {
    const counts = { running: 0, ready: 0, failed: 0, cancelled: 0 };
    for (const g of generations) {
      if (g.state === "SUCCESS") counts.ready++;
      else if (g.state === "FAILURE" || g.state === "REJECTED" || g.state === "LOST") counts.failed++;
      else if (g.state === "REVOKED") counts.cancelled++;
      else counts.running++;
    }
    const parts = [];
    if (counts.running) parts.push(`${counts.running} running`);
    if (counts.ready) parts.push(`${counts.ready} ready`);
    if (counts.failed) parts.push(`${counts.failed} failed`);
    if (counts.cancelled) parts.push(`${counts.cancelled} cancelled`);
    dom.summary.textContent = parts.join(" · ");
    dom.empty.hidden = generations.length > 0;
  }

  // ---------------------------------------------------------------- cancel and dismiss

  async function cancelGeneration(generation) {
    if (!generation.taskId || isFinal(generation.state)) {
      return;
    }
    generation.cancelRequested = true;
    generation.r.cancel.disabled = true;
    generation.r.status.textContent = "Cancelling…";
    try {
      const response = await fetch(statusUrl(generation.taskId, "cancel"), {
        method: "POST",
        headers: { Accept: "application/json" },
      });
      if (!response.ok) {
        const problem = await describeFailedResponse(response);
        generation.cancelRequested = false;
        showProblem(generation, `Could not cancel: ${problem.text}`, problem.lines);
        renderState(generation);
        return;
      }
      const outcome = await response.json().catch(() => null);
      if (outcome && typeof outcome.message === "string" && outcome.message !== "") {
        generation.cancelNote = outcome.message;
        renderNotes(generation);
      }
    } catch (error) {
      generation.cancelRequested = false;
      showProblem(generation, `Could not cancel: the service is unreachable (${error.message}).`);
      renderState(generation);
      return;
    }
    // The stream brings the final state by itself; a polling card asks at once instead of waiting 3 s.
    if (generation.transport === "polling" && !isFinal(generation.state)) {
      stopPolling(generation);
      pollOnce(generation);
    }
  }

  function dismissGeneration(generation) {
    closeStream(generation);
    stopPolling(generation);
    const index = generations.indexOf(generation);
    const nextCard = generations[index + 1]?.card ?? generations[index - 1]?.card;
    generations.splice(index, 1);
    generation.card.remove();
    saveTasks();
    updateSummary();
    const focusTarget = nextCard?.querySelector("button:not([hidden])") ?? document.getElementById("generations-title");
    focusTarget.focus();
  }

  // ---------------------------------------------------------------- start-up

  /** Cards of tasks started before a reload: ask for their status once, then follow those still running. */
  async function restoreTasks() {
    const stored = readStorage(TASKS_KEY);
    if (!Array.isArray(stored)) {
      return;
    }
    const valid = stored.filter((t) => t && typeof t.taskId === "string" && Number.isInteger(t.adId)).reverse();
    for (const task of valid) {
      const generation = createGeneration({
        adId: task.adId,
        prompt: String(task.prompt ?? ""),
        modelKey: String(task.modelKey ?? ""),
        aspect: Object.hasOwn(ASPECTS, task.aspect) ? task.aspect : "portrait",
        seed: task.seed,
        createdAt: task.createdAt,
      });
      generation.taskId = task.taskId;
      generation.state = "PENDING";
      generation.r.status.textContent = "Asking the service for the current state…";
      renderMeta(generation);
      renderState(generation);
      try {
        const response = await fetch(statusUrl(task.taskId, "status"), { headers: { Accept: "application/json" } });
        if (response.status === 404) {
          lose(generation);
          continue;
        }
        if (response.ok) {
          applyStatus(generation, await response.json());
        }
      } catch {
        // Following the task below reports the connection problem on the card.
      }
      if (!isFinal(generation.state)) {
        follow(generation);
      }
    }
  }

  dom.addForm.addEventListener("submit", addPrompt);
  dom.newPromptText.addEventListener("input", () => {
    dom.newPromptText.removeAttribute("aria-invalid");
    dom.newPromptMessage.textContent = "";
  });
  dom.restoreSamples.addEventListener("click", restoreSamples);
  window.setInterval(() => generations.forEach(renderCountdown), 1000);

  renderPrompts();
  updateSummary();
  restoreTasks();
})();
