"""Runs Qingquan's private Asterisk: renders the repo's ``asterisk/`` configuration into a run directory of
its own and starts ``asterisk -f`` on it. The system's /etc/asterisk is never read or written.

Asterisk outlives the app: if the app process dies (killed, crashed), its Asterisk keeps the calls up, and
the app started again on the same run directory attaches to that Asterisk instead of starting another one
(it reloads the configuration only if the rendered files changed). A graceful stop stops Asterisk too."""

from __future__ import annotations

import asyncio
import logging
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from config.settings import Settings
from kernel.errors import QingquanError

log = logging.getLogger(__name__)

CONFIG_TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "asterisk"
_PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")


class AsteriskStartError(QingquanError):
    code = "asterisk_start_failed"


def render_template(text: str, values: dict[str, str]) -> str:
    """Replaces ``{{name}}`` placeholders; an unknown name is an error, never a silent blank."""

    def substitute(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values:
            raise KeyError(f"no value for placeholder {{{{{name}}}}}")
        return values[name]

    return _PLACEHOLDER.sub(substitute, text)


def seat_sections(settings: Settings) -> str:
    blocks = []
    for seat in settings.asterisk.seats:
        blocks.append(
            f"[{seat.name}](endpoint-common)\ncontext = from-seats\nlanguage = zh\n"
            f"auth = {seat.name}\naors = {seat.name}\n\n"
            f"[{seat.name}]\ntype = auth\nauth_type = userpass\nusername = {seat.name}\n"
            f"password = {seat.password}\n\n"
            f"[{seat.name}]\ntype = aor\nmax_contacts = 1\nremove_existing = yes\n"
        )
    return "\n".join(blocks)


def template_values(settings: Settings, run_dir: Path) -> dict[str, str]:
    ast = settings.asterisk
    hotline = "\n".join(
        f"exten => {number},1,Set(QQ_DIALED={number})\n same => n,Goto(hotline,1)"
        for number in ast.hotline_numbers
    )
    return {
        "run_dir": str(run_dir),
        "module_dir": ast.module_dir,
        "data_dir": ast.data_dir,
        "ami_host": ast.ami_host,
        "ami_port": str(ast.ami_port),
        "ami_username": ast.ami_username,
        "ami_secret": ast.ami_secret,
        "sip_host": ast.sip_host,
        "sip_port": str(ast.sip_port),
        "rtp_start": str(ast.rtp_start),
        "rtp_end": str(ast.rtp_end),
        "trunk_match": "\n".join(f"match = {m}" for m in ast.trunk_match),
        "trunk_lines": str(ast.trunk_lines),
        "ring_seconds": str(ast.ring_seconds),
        "announce_seconds": str(settings.acd.announce_seconds),
        "survey": "1" if settings.ivr.survey else "0",
        "record": "1" if settings.recordings.enabled else "0",
        "recording_dir": str(settings.recordings.directory),
        "trunk_outbound_host": ast.trunk_outbound_host,
        "callback_caller_number": ast.hotline_numbers[0] if ast.hotline_numbers else "",
        "hotline_extensions": hotline,
        "seats": seat_sections(settings),
        "fallback_members": "\n".join(f"member => PJSIP/{s.name}" for s in ast.seats),
        "agi_host": settings.agi.host,
        "agi_port": str(settings.agi.port),
        "agi_nodes": ",".join([f"{settings.agi.host}:{settings.agi.port}", *settings.agi.failover_hosts]),
        "prompt_dir": str(settings.ivr.prompt_dir),
        "hold_music_dir": str(settings.ivr.hold_music_dir),
    }


def render_config(settings: Settings, run_dir: Path, template_dir: Path = CONFIG_TEMPLATE_DIR) -> Path:
    """Writes the rendered configuration to ``run_dir/etc`` and returns the path of asterisk.conf."""
    etc = run_dir / "etc"
    for sub in ("etc", "lib", "spool", "run", "log"):
        (run_dir / sub).mkdir(parents=True, exist_ok=True)
    values = template_values(settings, run_dir)
    for template in sorted(template_dir.glob("*.conf")):
        (etc / template.name).write_text(render_template(template.read_text(), values))
    return etc / "asterisk.conf"


def config_texts(run_dir: Path) -> dict[str, str]:
    """The configuration files in ``run_dir/etc`` by name (to tell whether a new rendering changed them)."""
    return {path.name: path.read_text() for path in sorted((run_dir / "etc").glob("*.conf"))}


@dataclass
class AsteriskProcess:
    """A private Asterisk process; ``start`` returns once Asterisk is fully booted."""

    settings: Settings
    run_dir: Path
    process: asyncio.subprocess.Process | None = None
    attached: bool = False  # an Asterisk already running on run_dir (the app was restarted) was taken over

    @property
    def conf_path(self) -> Path:
        return self.run_dir / "etc" / "asterisk.conf"

    async def start(self, boot_timeout: float = 20.0) -> None:
        binary = self.settings.asterisk.binary
        if shutil.which(binary) is None:
            raise AsteriskStartError(f"Asterisk not found at {binary}; run `make setup` first")
        if len(str(self._control_socket)) > 100:
            raise AsteriskStartError(f"run directory {self.run_dir} is too long for Asterisk's control socket")
        before = config_texts(self.run_dir)
        render_config(self.settings, self.run_dir)
        if await self._attach(config_texts(self.run_dir) != before):
            return
        log_path = self.run_dir / "log" / "console.log"
        with log_path.open("ab") as console_log:
            self.process = await asyncio.create_subprocess_exec(
                binary, "-C", str(self.conf_path), "-f", "-n", "-q",
                stdin=asyncio.subprocess.DEVNULL, stdout=console_log, stderr=console_log,
            )
        log.info("asterisk started pid=%s run_dir=%s", self.process.pid, self.run_dir)
        try:
            await asyncio.wait_for(self._wait_fully_booted(), boot_timeout)
        except TimeoutError as exc:
            await self.stop()
            raise AsteriskStartError(f"Asterisk did not boot in {boot_timeout} s; see {log_path}") from exc

    async def cli(self, command: str, timeout: float = 10.0) -> tuple[int, str]:
        proc = await asyncio.create_subprocess_exec(
            self.settings.asterisk.binary, "-C", str(self.conf_path), "-rx", command,
            stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        )
        try:
            out, _ = await asyncio.wait_for(proc.communicate(), timeout)
        except TimeoutError:
            proc.kill()
            await proc.wait()
            return -1, "timeout"
        return proc.returncode or 0, out.decode(errors="replace")

    async def _wait_fully_booted(self) -> None:
        while True:
            if self.process is not None and self.process.returncode is not None:
                raise AsteriskStartError(f"Asterisk exited with {self.process.returncode} during start-up")
            code, _ = await self.cli("core waitfullybooted")
            if code == 0:
                return
            await asyncio.sleep(0.1)

    async def _attach(self, config_changed: bool) -> bool:
        """True if an Asterisk left running on this run directory (the app died and was started again) answers
        and is fully booted: it is taken over with its calls, never stopped. Its configuration is reloaded
        only if the rendered files changed (a reload is not free for the calls in progress)."""
        if not self._control_socket.exists():
            return False
        code, _ = await self.cli("core waitfullybooted", timeout=5)
        if code != 0:
            return False  # a stale socket: nothing answers there
        self.attached = True
        log.warning("attached to the Asterisk already running on %s (its calls go on)", self.run_dir)
        if config_changed:
            code, out = await self.cli("core reload")
            log.warning("the rendered Asterisk configuration changed: core reload (%s) %s", code, out.strip())
        return True

    @property
    def _control_socket(self) -> Path:
        return self.run_dir / "run" / "asterisk.ctl"

    async def stop(self, timeout: float = 10.0) -> None:
        if self.attached:
            await self._stop_attached(timeout)
            return
        if self.process is None or self.process.returncode is not None:
            return
        await self.cli("core stop now", timeout=5)
        try:
            await asyncio.wait_for(self.process.wait(), timeout)
        except TimeoutError:
            log.warning("asterisk did not stop in %s s; killing it", timeout)
            self.process.kill()
            await self.process.wait()
        log.info("asterisk stopped")

    async def _stop_attached(self, timeout: float) -> None:
        """Stops an Asterisk this process attached to (not its child: it is gone once its socket is)."""
        self.attached = False
        await self.cli("core stop now", timeout=5)
        async with asyncio.timeout(timeout):
            while self._control_socket.exists():
                await asyncio.sleep(0.1)
        log.info("asterisk stopped")
