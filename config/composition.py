"""The composition root: the one place that builds every part and wires them together.

Start order: database (migrated) -> event bus and its subscribers -> ACD -> FastAGI IVR -> private Asterisk
-> AMI bridge -> HTTP/websocket server. Stop runs the reverse."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import uvicorn

from acd.agents import AgentState
from acd.audit import AcdAuditLog
from acd.commands import RequestCallback
from acd.core import AcdState
from acd.node import AcdNode
from acd.service import AcdService
from acd.state_log import AgentStateLog
from acd.views import CallStatus, call_status
from agent_console.account_history import AccountLookup
from agent_console.app import ConsoleContext, create_app
from agent_console.hub import ConsoleHub
from agent_console.screen_pop import ScreenPopBuilder
from agent_console.wallboard import wallboard_snapshot
from billing.caller import CallerCompanies
from config.acd_policy import acd_policy
from config.billing import ClosableBillingGateway, billing_gateway
from config.hours import night_modes
from config.live_state import LiveState, open_live_state
from config.menu import menu_builder
from config.settings import Settings
from contacts.callbacks import OwedCallback, owed_callbacks
from contacts.recorder import ContactRecorder
from contacts.trunk_recorder import TrunkOccupancyRecorder
from ivr.hold import HoldAnnouncer
from ivr.listen import SpeechInput
from ivr.menu_source import MenuSource
from ivr.night import NightService
from ivr.prompts import generate_hold_music, generate_prompts
from ivr.runner import IvrRunner
from ivr.speech import SpeechRecognizer, load_recognizer
from ivr.survey import SurveyRunner
from kernel.clock import SystemClock
from kernel.database import make_engine, make_session_factory, transaction, upgrade_schema
from kernel.events import Event, EventBus
from outages.store import OutageNotices
from recordings.recorder import RecordingRecorder
from recordings.retention import RetentionSweeper
from reports.report_tallies import TallyRefresher
from telephony.ami import AmiBridge
from telephony.asterisk_process import AsteriskProcess
from telephony.fastagi import FastAgiServer
from work_orders.store import open_order_owner, record_satisfaction

log = logging.getLogger(__name__)


def console_server(app: Any, host: str, port: int) -> uvicorn.Server:
    """The console's HTTP + websocket server, served in the hotline's own event loop. Websocket messages go
    uncompressed: with per-message deflate every console compresses every message for itself (200 supervisors:
    the same wallboard 200 times a second), a third of the cost of a push; the consoles are on the LAN."""
    return uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="off",
                                         ws_ping_interval=20, ws_ping_timeout=20, ws_per_message_deflate=False))


class Hotline:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.clock = SystemClock()
        self.engine = make_engine(settings.effective_database_url)
        self.factory = make_session_factory(self.engine)
        self.policy = acd_policy(settings)
        self.bus: EventBus | None = None
        self.asterisk: AsteriskProcess | None = None
        self.ami: AmiBridge | None = None
        self.acd: AcdNode | None = None
        self.agi: FastAgiServer | None = None
        self._billing: ClosableBillingGateway | None = None
        self._live: LiveState | None = None
        self.speech: SpeechRecognizer | None = None  # None: the IVR runs DTMF-only
        self._hub: ConsoleHub | None = None
        self._http: uvicorn.Server | None = None
        self._http_task: asyncio.Task[None] | None = None
        self._retention: RetentionSweeper | None = None
        self._tallies: TallyRefresher | None = None
        self._recorder: RecordingRecorder | None = None

    async def start(self) -> None:
        s = self.settings
        await asyncio.to_thread(upgrade_schema, self.engine)
        await asyncio.to_thread(self._ensure_prompts)
        self.speech = await asyncio.to_thread(load_recognizer, s.ivr.speech_model_dir)
        if self.speech is not None:
            s.ivr.speech_record_dir.mkdir(parents=True, exist_ok=True)
        bus = self.bus = EventBus()
        billing = self._billing = billing_gateway(s, self.factory)
        contacts = ContactRecorder(self.factory, short_abandon_seconds=s.acd.short_abandon_seconds,
                                   copy_score=record_satisfaction)
        bus.subscribe_batch("contacts", contacts.on_events)  # one transaction per batch: keeps up under load
        bus.subscribe("trunk-occupancy", TrunkOccupancyRecorder(self.factory).on_event)
        bus.subscribe("agent-states", AgentStateLog(self.factory).on_event)
        bus.subscribe("acd-audit", AcdAuditLog(self.factory).on_event)
        recorder = self._recorder = RecordingRecorder(self.factory, agent_at_seat=self._agent_at_seat,
                                                      recording=s.recordings.enabled)
        bus.subscribe("recordings", recorder.on_event)
        self._start_recording_store()
        accounts = AccountLookup(billing, self.factory, self.clock)
        hub = self._hub = ConsoleHub(ScreenPopBuilder(accounts), wallboard=self._wallboard)
        bus.subscribe("console", hub.on_event)

        live = self._live = await open_live_state(s)
        self.acd = AcdNode(live.store, live.lease, live.node_id, self.policy, lease_ttl=s.acd.lease_ttl_seconds,
                           shared=live.shared, start_router=self._start_routing, stop_router=self._stop_routing,
                           on_remote_event=self._remote_event)
        if live.shared:
            bus.subscribe("fan-out", self._fan_out)

        menus = MenuSource(s.ivr.menu_file, menu_builder(s))
        log.info("IVR menu: %s", s.ivr.menu_file or "the default menu")
        runner = IvrRunner(bus, billing, self.clock, menus.current, s.ivr.prompt_dir, s.ivr.digit_timeout_ms,
                           notices=self._notices, owner_of=self._owner_of, acd=self.acd,
                           outage_notice=OutageNotices(self.factory, self.clock, ZoneInfo(s.timezone)).prompts_for,
                           company_of=CallerCompanies(self.factory).company_of, speech=self._speech_input(),
                           night=NightService(bus, self.clock, self.policy, night_modes(s), self.acd,
                                              emergency=self._emergency_on))
        hold = HoldAnnouncer(self._call_status, self._request_callback, s.ivr.prompt_dir, s.ivr.digit_timeout_ms)
        self.agi = FastAgiServer(s.agi.host, s.agi.port, s.agi.header_timeout)
        self.agi.add_route("ivr", runner.handle)
        self.agi.add_route("hold", hold.handle)
        survey = SurveyRunner(bus, self.clock, s.ivr.prompt_dir, s.ivr.digit_timeout_ms)
        self.agi.add_route("survey", survey.handle)
        await self.agi.start()

        if s.asterisk.manage:
            self.asterisk = AsteriskProcess(s, s.asterisk.run_dir)
            await self.asterisk.start()
        await self.acd.start()
        if not live.shared:
            await self.acd.wait_routing(30)

        ctx = ConsoleContext(settings=s, factory=self.factory, acd=self.acd, hub=hub, clock=self.clock,
                             health=self.health, accounts=accounts)
        self._http = console_server(create_app(ctx), s.http.host, s.http.port)
        self._http_task = asyncio.create_task(self._http.serve(), name="http")
        while not self._http.started:
            if self._http_task.done():
                self._http_task.result()
                raise RuntimeError("HTTP server stopped during start-up")
            await asyncio.sleep(0.05)
        log.info("Qingquan is up: node %s, console http://%s:%s/ hotline %s", live.node_id, s.http.host,
                 s.http.port, ",".join(s.asterisk.hotline_numbers))

    # Routing: only the node that holds the routing lease talks to Asterisk over AMI --------------------------

    async def _start_routing(self, initial: AcdState) -> AcdService:
        assert self.bus is not None
        self.ami = AmiBridge(self.settings, self.bus, self.clock)
        service = AcdService(self.bus, self.ami, self.clock, self.policy)
        service.start(initial)
        for owed in await asyncio.to_thread(self._owed_callbacks):  # back in line as virtual callers
            service.submit(RequestCallback(owed.linkedid, owed.number, queue=owed.queue or self.settings.acd.queue,
                                           account_number=owed.account_number))
        await self.ami.start()
        await self.ami.wait_ready()  # the login's resync re-reads seats and held callers and reconciles
        return service

    async def _stop_routing(self, service: AcdService) -> None:
        """Stops the routing ``service`` (the node has already let it go) and its AMI link: a service left
        running would go on deciding from stale state and sending through a closed link."""
        if self.ami is not None:
            await self.ami.stop()
        self.ami = None
        await service.stop()

    def _owed_callbacks(self) -> list[OwedCallback]:
        since = self.clock.now() - timedelta(hours=self.settings.acd.callback_memory_hours)
        with transaction(self.factory) as session:
            return owed_callbacks(session, since)

    async def _fan_out(self, event: Event) -> None:
        """The routing node shares what happened with the other nodes' consoles."""
        if self._live is not None and self.acd is not None and self.acd.routing:
            await self._live.store.publish_event(event.to_wire())

    async def _remote_event(self, payload: dict[str, Any]) -> None:
        """Another node routes: its events reach this node's consoles (never its recorders)."""
        event = Event.from_wire(payload)
        if event is not None and self._hub is not None:
            await self._hub.on_event(event)

    def _wallboard(self) -> dict[str, Any] | None:
        return wallboard_snapshot(self.acd.state, self.clock.now()) if self.acd else None

    # Recordings -----------------------------------------------------------------------------------------

    def _start_recording_store(self) -> None:
        """The recordings directory (Asterisk writes there: on one host it is made here) and the retention
        sweep, which runs on every node (deleting is idempotent)."""
        rec = self.settings.recordings
        if rec.enabled:
            rec.directory.mkdir(parents=True, exist_ok=True)
        log.info("recordings: %s in %s, kept %s", "on" if rec.enabled else "off", rec.directory,
                 f"{rec.retention_days} days" if rec.retention_days else "for ever")
        self._retention = RetentionSweeper(self.factory, rec.directory, rec.retention_days, self.clock)
        self._retention.start()
        self._tallies = TallyRefresher(self.factory, self.clock)  # the reports' settled hours, hourly
        self._tallies.start()

    def _agent_at_seat(self, seat: str) -> int | None:
        """The agent logged in at a seat now (a recording's agent until the ACD names who took the call)."""
        agents = self.acd.state.agents.values() if self.acd is not None else ()
        return next((a.agent_id for a in agents if a.seat == seat and a.state is not AgentState.LOGGED_OUT), None)

    # What the IVR asks of the ACD ---------------------------------------------------------------------------

    def _emergency_on(self) -> bool:
        return self.acd is not None and self.acd.state.emergency

    def _notices(self) -> tuple[str, ...]:
        emergency = self._emergency_on()
        return ("emergency-notice",) if emergency and self.settings.acd.emergency_announcement else ()

    async def _owner_of(self, account_number: str) -> int | None:
        def query() -> int | None:
            with transaction(self.factory) as session:
                return open_order_owner(session, account_number)
        return await asyncio.to_thread(query)

    def _call_status(self, linkedid: str) -> CallStatus | None:
        return call_status(self.acd.state, linkedid, self.clock.now()) if self.acd else None

    async def _request_callback(self, linkedid: str, number: str) -> None:
        assert self.acd is not None
        await self.acd.execute(RequestCallback(linkedid, number))

    def _speech_input(self) -> SpeechInput | None:
        if self.speech is None:
            return None
        ivr = self.settings.ivr
        return SpeechInput(self.speech, ivr.speech_record_dir, ivr.speech_max_seconds, ivr.speech_silence_seconds)

    def _ensure_prompts(self) -> None:
        written = generate_prompts(self.settings.ivr.prompt_dir)
        if written:
            log.info("generated %s missing prompts in %s", len(written), self.settings.ivr.prompt_dir)
        generate_hold_music(self.settings.ivr.hold_music_dir)

    def health(self) -> dict[str, Any]:
        ami_up = self.ami is not None and self.ami.logged_in.is_set()
        routing = self.acd is not None and self.acd.routing
        state = self.acd.state if self.acd else None
        return {
            "status": "ok" if ami_up or (self.acd is not None and not routing) else "degraded",
            "node_id": self._live.node_id if self._live else "",
            "routing": routing,
            "ami": ami_up,
            "ami_resyncs": self.ami.resyncs if self.ami else 0,
            "registered_seats": sorted(state.registered_seats) if state else [],
            "waiting_calls": len(state.waiting) if state else 0,
        }

    async def stop(self) -> None:
        if self._http is not None and self._http_task is not None:
            self._http.should_exit = True
            await asyncio.gather(self._http_task, return_exceptions=True)
        if self._retention is not None:
            await self._retention.stop()
        if self._tallies is not None:
            await self._tallies.stop()
        if self.acd is not None:
            await self.acd.stop()
        if self.agi is not None:
            await self.agi.stop()
        if self.asterisk is not None:
            await self.asterisk.stop()
        if self._live is not None:
            await self._live.close()
        if self.bus is not None:
            await asyncio.wait_for(self.bus.close(), 10)
        if self._recorder is not None:  # the last files measured, rows linked to contacts written meanwhile
            await asyncio.wait_for(self._recorder.close(), 10)
        if self._billing is not None:
            await self._billing.aclose()
        self.engine.dispose()
        log.info("Qingquan stopped")
