"""stclient: a browserless client that speaks Streamlit 1.67's own websocket protocol.

One `StreamlitSession` is one browser tab: it opens `ws://HOST:PORT/_stcore/stream`,
sends `BackMsg.rerun_script` (a `ClientState`) and reads `ForwardMsg`s until the script
run it asked for has finished. It keeps what a browser keeps and nothing more:

- the elements of the current run (by delta path), so widgets can be found by their
  user key (Streamlit puts it at the end of the widget id, `$$ID-<hash>-<key>`) or label;
- the ForwardMsg cache (messages marked `metadata.cacheable`, by hash): their hashes go
  back in `ClientState.cached_message_hashes` and the server then sends a `ref_hash`
  instead of the whole message; the client resolves it locally (no HTTP round trip);
- the `auto_rerun` timers of `@st.fragment(run_every=...)`: like the browser, it sends a
  fragment rerun (`fragment_id`, `is_auto_rerun=True`) every `interval` seconds and
  drops the timers when a full-app run starts or the page changes;
- optionally the `/media/...` files that image elements point to, fetched once each
  over HTTP as a browser would (`fetch_media=True`).

It is cheap: one asyncio task per session, protobuf parsing in C (upb); thirty sessions
in one Python process cost a few percent of one core (bench_classroom.py prints the
client's CPU beside the server's, so a reader can check the server is what is measured).

Pitfalls it handles (Streamlit 1.67): every rerun must send the current page hash (an
empty one runs the default page); `FINISHED_EARLY_FOR_RERUN` is not the end of a run; a
fragment's `st.rerun(scope="app")` starts a full run nobody asked for; under load a
`run_every` fragment can make the server drop the end of a full run, `script_finished`
included (a race in AppSession.request_rerun): such a run ends here as
`LOST_SCRIPT_FINISHED` when the next run starts or the session goes idle.

    async with StreamlitSession("http://127.0.0.1:8501") as s:
        first = await s.open()                        # the default page (or s.open("build"))
        await s.goto("Build")                         # page title or url path
        edit = await s.set("build_1_filters", 24)     # widget user key (or label=...)
        await s.goto("Train")
        await s.click("train_start")                  # a button: trigger_value
        print(first.latency_s, edit.latency_s, edit.status)
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import time
import urllib.request
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ClientState_pb2 import ClientState
from streamlit.proto.Element_pb2 import Element
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.NumberInput_pb2 import NumberInput
from streamlit.proto.WidgetStates_pb2 import WidgetState

FRAGMENT_FINISHED = ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY
EARLY = ForwardMsg.FINISHED_EARLY_FOR_RERUN
STATUS_NAME = ForwardMsg.ScriptFinishedStatus.Name
LOST = "LOST_SCRIPT_FINISHED"  # our status: the run started, its script_finished never came

# Widgets whose value the browser sends as WidgetState.string_value.
STRING_WIDGETS = {"selectbox", "radio", "text_input", "text_area", "color_picker"}


class StreamlitError(RuntimeError):
    """The server closed the session, or a run did not finish in time."""


@dataclass
class Widget:
    """A widget of the current run, as its element proto arrived."""

    kind: str  # the Element oneof name: "number_input", "slider", "button", ...
    id: str  # "$$ID-<hash>-<user key>" (or without the key)
    label: str
    path: tuple[int, ...]
    proto: Any  # the element's own proto (e.g. streamlit.proto.Slider_pb2.Slider)

    @property
    def key(self) -> str | None:
        """The user key, when the widget has one (the id's third part)."""
        parts = self.id.split("-", 2)
        return parts[2] if len(parts) == 3 and parts[0] == "$$ID" else None


@dataclass
class RunResult:
    """One script run (or chain: a callback or st.rerun() ends a run early and starts
    the next), from the BackMsg that asked for it to its final script_finished."""

    what: str  # caller's label, e.g. "open", "goto:Build", "set:key"
    fragment: bool  # a fragment rerun (auto_rerun) rather than a full run
    sent_at: float  # time.perf_counter() when the BackMsg went out
    latency_s: float | None = None  # BackMsg sent -> final script_finished received
    first_delta_s: float | None = None
    status: str | None = None  # FINISHED_SUCCESSFULLY, ..._FRAGMENT_RUN_..., LOST
    early_reruns: int = 0  # FINISHED_EARLY_FOR_RERUN seen in the chain
    messages: int = 0
    bytes: int = 0
    ref_hits: int = 0  # ref_hash messages resolved from the cache
    run_ids: list[str] = field(default_factory=list)
    exceptions: list[str] = field(default_factory=list)  # st.exception / tracebacks
    media_s: float | None = None  # sent -> last new /media/ file of the run fetched
    media_errors: int = 0  # /media/ GETs that failed (404: the file was replaced)
    media: list = field(default_factory=list, repr=False)  # its fetch tasks, while running

    @property
    def ok(self) -> bool:
        return (
            self.status in ("FINISHED_SUCCESSFULLY", "FINISHED_FRAGMENT_RUN_SUCCESSFULLY")
            and not self.exceptions
        )


class StreamlitSession:
    """One browser tab's worth of Streamlit session, over one websocket."""

    def __init__(
        self,
        base_url: str,
        *,
        fetch_media: bool = True,
        use_cache: bool = True,
        auto_rerun: bool = True,
        query_string: str = "",
        name: str = "",
        trace: int = 0,
        cookies: dict[str, str] | None = None,
    ) -> None:
        parts = urlsplit(base_url.rstrip("/"))
        scheme = "wss" if parts.scheme == "https" else "ws"
        self.base_url = base_url.rstrip("/")
        self.ws_url = f"{scheme}://{parts.netloc}{parts.path}/_stcore/stream"
        self.fetch_media, self.use_cache, self.auto_rerun = fetch_media, use_cache, auto_rerun
        self.query_string, self.name = query_string, name
        self.cookies = dict(cookies or {})  # sent with the websocket's handshake
        self.session_id: str | None = None
        self.pages: dict[str, str] = {}  # page title and url path -> page_script_hash
        self.page_hash = ""  # the page the server last ran
        self.elements: dict[tuple[int, ...], Element] = {}  # current run, by delta path
        self.runs: list[RunResult] = []  # every finished run, requested or auto
        self.unrequested_runs = 0  # full runs nobody asked for (a fragment's
        # st.rerun(scope="app"))
        self.lost_finishes = 0  # full runs whose script_finished never arrived
        self.bytes_received = 0
        self._ws: Any = None
        self._reader: asyncio.Task | None = None
        self._closed = asyncio.Event()
        self._close_reason: str | None = None
        self._pending: RunResult | None = None  # the full run we wait for
        self._pending_done: asyncio.Future | None = None
        self._pending_run_id: str | None = None  # its script_run_id (from new_session)
        self._fragment_runs: dict[str, RunResult] = {}  # script_run_id -> fragment run
        self._current_fragment_run: RunResult | None = None
        self._fragment_sent: dict[str, float] = {}  # fragment_id -> last auto send
        self._timers: dict[str, tuple[float, asyncio.Task]] = {}  # fragment_id -> timer
        self._cache: dict[str, list] = {}  # hash -> [ForwardMsg, run count when last seen]
        self._cache_runs = 0
        self._max_cache_age = 2  # runs; NewSession.config.max_cached_message_age
        self._media_seen: set[str] = set()
        self._media_tasks: set[asyncio.Task] = set()
        # The last `trace` messages in and out, for debugging a slow or stuck run.
        self.trace: collections.deque | None = collections.deque(maxlen=trace) if trace else None

    # --- connection ---------------------------------------------------------------

    async def connect(self, timeout: float = 30) -> None:
        # The browser sends Sec-WebSocket-Protocol: streamlit, <xsrf token or
        # "PLACEHOLDER_AUTH_TOKEN">[, <session id to resume>]. The server selects the
        # first entry; the second matters only for st.login cookies (with XSRF on);
        # the third resumes a disconnected session (within server.disconnectedSessionTTL).
        # No Origin header: the server allows that (a browser's Origin must match Host
        # or server.corsAllowedOrigins). Cookies (a classroom desk's key) go with the
        # handshake, as a browser sends them: st.context.cookies reads them there.
        cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        self._ws = await websockets.connect(
            self.ws_url,
            additional_headers={"Cookie": cookie} if cookie else None,
            subprotocols=["streamlit", "PLACEHOLDER_AUTH_TOKEN"],
            max_size=None,  # server.maxMessageSize is 200 MB; don't cut below it
            compression=None,  # the server has permessage-deflate off by default
            open_timeout=timeout,
            ping_interval=None,  # the server pings every 30 s; websockets answers
        )
        self._reader = asyncio.create_task(self._read_loop(), name=f"stclient-read-{self.name}")

    async def close(self) -> None:
        for _, task in self._timers.values():
            task.cancel()
        self._timers.clear()
        if self._ws is not None:
            await self._ws.close()
        if self._reader is not None:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._reader
        for task in list(self._media_tasks):
            task.cancel()

    async def __aenter__(self) -> StreamlitSession:
        await self.connect()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # --- asking for runs ----------------------------------------------------------

    def _client_state(
        self,
        widgets: list[WidgetState],
        *,
        page_hash: str = "",
        page_name: str = "",
        fragment_id: str = "",
        auto: bool = False,
    ) -> ClientState:
        state = ClientState(
            query_string=self.query_string,
            page_script_hash=page_hash,
            page_name=page_name,
            fragment_id=fragment_id,
            is_auto_rerun=auto,
        )
        state.widget_states.widgets.extend(widgets)
        if self.use_cache:
            state.cached_message_hashes.extend(self._cache)
        # What a browser reports about itself (st.context); optional for the server.
        info = state.context_info
        info.timezone, info.timezone_offset, info.locale = "UTC", 0, "en-US"
        info.url, info.is_embedded, info.color_scheme = self.base_url + "/", False, "light"
        return state

    async def rerun(
        self,
        widgets: list[WidgetState] | None = None,
        *,
        page_hash: str = "",
        page_name: str = "",
        what: str = "rerun",
        timeout: float = 300,
    ) -> RunResult:
        """Send rerun_script and wait for the run chain it starts to finish.

        Latency = BackMsg sent -> final script_finished (FINISHED_SUCCESSFULLY or
        FINISHED_WITH_COMPILE_ERROR) of a full run that started after the send.
        FINISHED_EARLY_FOR_RERUN (a callback's or the script's st.rerun()) continues
        the chain; fragment runs (auto_rerun) are recorded apart and never end it.
        If the run started but another run starts, or the session goes idle, before
        its script_finished, the server dropped the run's tail: status LOST.
        An exception in the script is not a status: see RunResult.exceptions.
        """
        if self._pending is not None:
            raise StreamlitError("one rerun at a time per session")
        if self._closed.is_set():
            raise StreamlitError(f"session closed: {self._close_reason}")
        page_hash = page_hash or self.page_hash  # like the browser: stay on this page
        msg = BackMsg()
        msg.rerun_script.CopyFrom(
            self._client_state(widgets or [], page_hash=page_hash, page_name=page_name)
        )
        result = RunResult(what, fragment=False, sent_at=time.perf_counter())
        self._pending, self._pending_run_id = result, None
        self._pending_done = asyncio.get_running_loop().create_future()
        if self.trace is not None:
            self.trace.append((round(result.sent_at, 3), ">", what, page_hash[:8]))
        await self._ws.send(msg.SerializeToString())
        try:
            await asyncio.wait_for(asyncio.shield(self._pending_done), timeout)
        except TimeoutError:
            raise StreamlitError(f"{what}: no script_finished within {timeout} s") from None
        finally:
            self._pending = self._pending_done = None
        if result.media:  # the run's pictures, fetched as a browser loads them
            done = await asyncio.gather(*result.media, return_exceptions=True)
            times = [t for t in done if isinstance(t, float)]
            result.media_errors = len(done) - len(times)
            result.media_s = max(times) - result.sent_at if times else None
            result.media = []
        return result

    async def open(self, page: str = "") -> RunResult:
        """The first run of a new tab: `page` is a url path ("" = default page)."""
        return await self.rerun(page_name=page, what=f"open:{page or '/'}")

    async def goto(self, page: str) -> RunResult:
        """Change page as the sidebar navigation does: by page_script_hash."""
        if page not in self.pages:
            raise KeyError(f"no page {page!r}; pages: {sorted(self.pages)}")
        self._cancel_timers()  # the browser's onPageChange: cleanupAutoReruns()
        return await self.rerun(page_hash=self.pages[page], what=f"goto:{page}")

    async def set(
        self,
        key: str | None = None,
        value: Any = None,
        *,
        label: str | None = None,
        what: str | None = None,
    ) -> RunResult:
        """Give a widget a new value (as if the user did) and wait for the rerun."""
        widget = self.widget(key=key, label=label)
        return await self.rerun(
            [widget_state(widget, value)], what=what or f"set:{widget.key or widget.label}"
        )

    async def click(self, key: str | None = None, *, label: str | None = None) -> RunResult:
        """Press a button: trigger_value=True for this one run only."""
        widget = self.widget(key=key, label=label)
        if getattr(widget.proto, "disabled", False):
            raise StreamlitError(f"button {widget.key or widget.label!r} is disabled")
        return await self.rerun(
            [widget_state(widget, True)], what=f"click:{widget.key or widget.label}"
        )

    # --- what the page shows ------------------------------------------------------

    def widgets(self) -> list[Widget]:
        found = []
        for path, element in sorted(self.elements.items()):
            kind = element.WhichOneof("type")
            proto = getattr(element, kind) if kind else None
            wid = getattr(proto, "id", "") if proto is not None else ""
            if wid.startswith("$$ID"):
                found.append(Widget(kind, wid, getattr(proto, "label", ""), path, proto))
        return found

    def widget(self, key: str | None = None, label: str | None = None) -> Widget:
        for w in self.widgets():
            if (key is not None and w.key == key) or (label is not None and w.label == label):
                return w
        have = [w.key or w.label for w in self.widgets()]
        raise KeyError(f"no widget key={key!r} label={label!r} on this page; have {have}")

    def html(self) -> list[str]:
        """The bodies of the st.html elements of the current run, in order."""
        return [
            element.html.body
            for _, element in sorted(self.elements.items())
            if element.WhichOneof("type") == "html"
        ]

    async def submit(self, values: dict[str, Any], button: str) -> RunResult:
        """Fill a form's widgets (by key) and press its submit button (by label), in one
        run, as a browser sends a form."""
        states = [widget_state(self.widget(key=k), v) for k, v in values.items()]
        states.append(widget_state(self.widget(label=button), True))
        return await self.rerun(states, what=f"submit:{button}")

    def texts(self) -> list[str]:
        """Markdown, headings, alerts and captions of the current run, in order."""
        out = []
        for _, element in sorted(self.elements.items()):
            kind = element.WhichOneof("type")
            if kind in ("markdown", "heading", "alert", "text", "metric"):
                out.append(getattr(element, kind).body)
            elif kind == "code":
                out.append(element.code.code_text)
        return out

    # --- reading ForwardMsgs ------------------------------------------------------

    async def _read_loop(self) -> None:
        try:
            async for raw in self._ws:
                self._handle(raw)
        except websockets.ConnectionClosed as err:
            self._close_reason = f"closed: {err}"
        except Exception as err:  # a bug in this client: fail the waiting run loudly
            self._close_reason = f"client error: {err!r}"
            raise
        finally:
            self._close_reason = self._close_reason or "closed"
            self._closed.set()
            self._cancel_timers()
            if self._pending_done is not None and not self._pending_done.done():
                self._pending_done.set_exception(StreamlitError(self._close_reason))

    def _handle(self, raw: bytes) -> None:
        now = time.perf_counter()
        self.bytes_received += len(raw)
        msg = ForwardMsg()
        msg.ParseFromString(raw)
        kind = msg.WhichOneof("type")
        if self.trace is not None:
            run = msg.metadata.run
            extra = (
                STATUS_NAME(msg.script_finished)
                if kind == "script_finished"
                else (
                    msg.delta.WhichOneof("type")
                    + ":"
                    + (msg.delta.new_element.WhichOneof("type") or "")
                    if kind == "delta"
                    else ""
                )
            )
            self.trace.append(
                (
                    round(now, 3),
                    "<",
                    kind,
                    run.script_run_id[:8],
                    [f[-8:] for f in run.fragment_ids],
                    extra,
                )
            )
        ref_hit = False
        if kind == "ref_hash":  # a message the client said it has: take it from the cache
            entry = self._cache.get(msg.ref_hash)
            if entry is None:
                raise StreamlitError(f"ForwardMsg cache miss for {msg.ref_hash}")
            entry[1] = self._cache_runs
            cached = ForwardMsg()
            cached.CopyFrom(entry[0])
            cached.metadata.CopyFrom(msg.metadata)
            msg, kind, ref_hit = cached, cached.WhichOneof("type"), True
        elif self.use_cache and msg.metadata.cacheable and msg.hash not in self._cache:
            self._cache[msg.hash] = [msg, self._cache_runs]

        run = self._run_for(msg, kind)
        if run is not None:
            run.messages += 1
            run.bytes += len(raw)
            run.ref_hits += ref_hit

        if kind == "new_session":
            self._on_new_session(msg, now)
        elif kind == "delta":
            if run is not None and run.first_delta_s is None:
                run.first_delta_s = now - run.sent_at
            self._on_delta(msg, run)
        elif kind == "script_finished":
            self._on_script_finished(msg, now)
        elif kind == "navigation":
            for page in msg.navigation.app_pages:
                self.pages[page.page_name] = page.page_script_hash
                self.pages[page.url_pathname] = page.page_script_hash
            self.page_hash = msg.navigation.page_script_hash
        elif kind == "session_status_changed":
            if (
                not msg.session_status_changed.script_is_running
                and self._waiting()
                and self._pending_run_id is not None
            ):
                # Idle while our run has started and not finished: its end was dropped.
                self._lose_pending(now)
        elif kind == "auto_rerun" and self.auto_rerun:
            self._start_timer(msg.auto_rerun.fragment_id, msg.auto_rerun.interval)
        elif kind == "stop_auto_rerun":
            for fragment_id in msg.stop_auto_rerun.fragment_ids:
                self._cancel_timer(fragment_id)
        elif (
            kind == "session_event"
            and run is not None
            and msg.session_event.HasField("script_compilation_exception")
        ):
            run.exceptions.append(msg.session_event.script_compilation_exception.message)
        # page_config_changed, page_info_changed, logo, git_info_changed, page_profile,
        # heartbeat_ack, page_not_found: nothing to do for a load client.

    def _run_for(self, msg: ForwardMsg, kind: str) -> RunResult | None:
        """The run a message belongs to: deltas carry no run id, so by arrival order
        (the server sends one run's messages in order, fragment runs never overlap a
        full run of the same session)."""
        run_id = msg.metadata.run.script_run_id if msg.metadata.HasField("run") else ""
        if run_id and run_id in self._fragment_runs:
            return self._fragment_runs[run_id]
        if self._current_fragment_run is not None and kind != "new_session":
            return self._current_fragment_run
        return self._pending if self._waiting() else None

    def _on_new_session(self, msg: ForwardMsg, now: float) -> None:
        ns = msg.new_session
        self.session_id = ns.initialize.session_id or self.session_id
        self._max_cache_age = ns.config.max_cached_message_age or self._max_cache_age
        run_id, fragments = msg.metadata.run.script_run_id, list(msg.metadata.run.fragment_ids)
        if self._waiting() and self._pending_run_id is not None:
            # Our full run started (its new_session came) but a new run starts before
            # its script_finished: the server replaced the run's ScriptRunner and
            # dropped the old one's remaining events (FINDINGS.md, "lost script_finished").
            self._lose_pending(now)
        if fragments:  # a fragment run: its deltas replace only the fragment's elements
            fid = fragments[0]
            sent = self._fragment_sent.pop(fid, now)
            run = RunResult(f"fragment:{fid[-8:]}", fragment=True, sent_at=sent)
            run.run_ids.append(run_id)
            self._fragment_runs[run_id] = run
            self._current_fragment_run = run
            return
        # A full-app rerun preempts a fragment run in progress (runner.fastReruns): the
        # server drops the rest of that run's messages, its script_finished included.
        for abandoned in self._fragment_runs.values():
            abandoned.status = "PREEMPTED"
            self.runs.append(abandoned)
        self._fragment_runs.clear()
        self._fragment_sent.clear()
        self._current_fragment_run = None
        self.elements = {}  # a full run redraws the page
        self._cancel_timers()  # the browser's handleNewSession: cleanupAutoReruns()
        if not self.pages:  # with st.navigation, the navigation message names the page
            self.page_hash = ns.page_script_hash or self.page_hash
        if self._waiting():
            self._pending_run_id = run_id
            self._pending.run_ids.append(run_id)
        else:
            self.unrequested_runs += 1

    def _waiting(self) -> bool:
        """A full run was asked for and has not finished yet."""
        return self._pending_done is not None and not self._pending_done.done()

    def _lose_pending(self, now: float) -> None:
        run = self._pending
        run.status, run.latency_s = LOST, now - run.sent_at
        self.lost_finishes += 1
        self.runs.append(run)
        self._pending_done.set_result(run)

    def _on_delta(self, msg: ForwardMsg, run: RunResult | None) -> None:
        delta = msg.delta
        path = tuple(msg.metadata.delta_path)
        if delta.WhichOneof("type") == "new_element":
            element = delta.new_element
            self.elements[path] = element
            kind = element.WhichOneof("type")
            if kind == "exception" and run is not None:
                run.exceptions.append(f"{element.exception.type}: {element.exception.message}")
            elif kind == "imgs" and self.fetch_media:
                for img in element.imgs.imgs:
                    self._fetch(img.url, run)

    def _on_script_finished(self, msg: ForwardMsg, now: float) -> None:
        status = msg.script_finished
        run_id = msg.metadata.run.script_run_id if msg.metadata.HasField("run") else ""
        fragments = list(msg.metadata.run.fragment_ids) if run_id else []
        if status != EARLY:  # the browser ages its ForwardMsg cache once per finished run
            self._age_cache(fragments)
        frun = self._fragment_runs.pop(run_id, None) if run_id else None
        if frun is not None or status == FRAGMENT_FINISHED:
            frun = frun or self._current_fragment_run
            self._current_fragment_run = None
            if frun is not None:
                frun.status = STATUS_NAME(status)
                frun.latency_s = now - frun.sent_at
                self.runs.append(frun)
            return
        run = self._pending
        if not self._waiting():
            return  # an unrequested run (st.rerun(scope="app") from a fragment) ended
        if self._pending_run_id is not None and run_id and run_id != self._pending_run_id:
            return  # the end of a run that started before our request
        if status == EARLY:
            run.early_reruns += 1
            self._pending_run_id = None  # the chain goes on with a new new_session
            return
        if self._pending_run_id is None:
            return  # finished before ours started: not ours
        run.status = STATUS_NAME(status)
        run.latency_s = now - run.sent_at
        self.runs.append(run)
        self._pending_done.set_result(run)

    def _age_cache(self, fragment_ids: list[str]) -> None:
        if not self.use_cache:
            return
        self._cache_runs += 1
        for h, (cached, seen) in list(self._cache.items()):
            frag = cached.delta.fragment_id if cached.WhichOneof("type") == "delta" else ""
            if fragment_ids and (not frag or frag not in fragment_ids):
                continue
            if self._cache_runs - seen > self._max_cache_age:
                del self._cache[h]

    # --- auto_rerun timers (st.fragment(run_every=...)) -----------------------------

    def _start_timer(self, fragment_id: str, interval: float) -> None:
        current = self._timers.get(fragment_id)
        if current is not None and current[0] == interval:
            return
        self._cancel_timer(fragment_id)
        task = asyncio.get_running_loop().create_task(self._tick(fragment_id, interval))
        self._timers[fragment_id] = (interval, task)

    async def _tick(self, fragment_id: str, interval: float) -> None:
        with contextlib.suppress(asyncio.CancelledError, websockets.ConnectionClosed):
            while True:
                await asyncio.sleep(interval)
                msg = BackMsg()
                msg.rerun_script.CopyFrom(
                    self._client_state(
                        [], page_hash=self.page_hash, fragment_id=fragment_id, auto=True
                    )
                )
                self._fragment_sent.setdefault(fragment_id, time.perf_counter())
                if self.trace is not None:
                    self.trace.append(
                        (round(time.perf_counter(), 3), ">", "auto_rerun", fragment_id[-8:])
                    )
                await self._ws.send(msg.SerializeToString())

    def _cancel_timer(self, fragment_id: str) -> None:
        timer = self._timers.pop(fragment_id, None)
        if timer is not None:
            timer[1].cancel()

    def _cancel_timers(self) -> None:
        for fragment_id in list(self._timers):
            self._cancel_timer(fragment_id)

    # --- media ----------------------------------------------------------------------

    def _fetch(self, url: str, run: RunResult | None) -> None:
        """GET a /media/ file once per session (the browser's cache; data: URLs are inline)."""
        if not url.startswith("/") or url in self._media_seen:
            return
        self._media_seen.add(url)
        task = asyncio.get_running_loop().create_task(self._get(url))
        self._media_tasks.add(task)
        task.add_done_callback(self._media_tasks.discard)
        if run is not None and not run.fragment:
            run.media.append(task)

    async def _get(self, url: str) -> float:
        """Returns when the file was in (perf_counter); raises on an HTTP error."""
        data = await asyncio.to_thread(_http_get, self.base_url + url)
        self.bytes_received += len(data)
        return time.perf_counter()


def _http_get(url: str) -> bytes:
    """One plain GET (in a worker thread: the event loop keeps reading the sockets)."""
    with urllib.request.urlopen(url, timeout=60) as response:
        return response.read()


def widget_state(widget: Widget, value: Any) -> WidgetState:
    """The WidgetState a browser sends for `widget` set to `value`.

    Only the changed widget is sent: the server keeps every other widget's last value
    (the browser sends them all; that costs the server a few microseconds more). The
    server does not check `value` against the widget's bounds or options for you: an
    out-of-range number becomes the widget's default without any error.
    """
    state = WidgetState(id=widget.id)
    kind = widget.kind
    if kind == "button":
        state.trigger_value = bool(value)
    elif kind == "number_input":  # the browser: setIntValue for INT, setDoubleValue for FLOAT
        if widget.proto.data_type == NumberInput.INT:
            state.int_value = int(value)
        else:
            state.double_value = float(value)
    elif kind == "slider":  # always a double array: [v] or [low, high]
        values = value if isinstance(value, (list, tuple)) else [value]
        state.double_array_value.data.extend(float(v) for v in values)
    elif kind == "checkbox":  # also st.toggle
        state.bool_value = bool(value)
    elif kind in STRING_WIDGETS:  # selectbox/radio: the option as shown (formatted)
        state.string_value = str(value)
    elif kind == "multiselect":
        state.string_array_value.data.extend(str(v) for v in value)
    else:
        raise TypeError(f"don't know how to set a {kind} widget")
    return state
