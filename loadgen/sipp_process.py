"""The SIPp processes of a load run: the seats' registration, the seats' UAS and the callers' UAC, each with its
scenario, injection file, action log and error log in the run's directory."""

from __future__ import annotations

import shutil
import socket
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from loadgen.plan import CallPlan
from loadgen.rtp_pcap import rtp_dtmf_pcap, rtp_tone_pcap
from loadgen.sipp_scenarios import (
    caller_rows,
    caller_scenario,
    dtmf_file,
    register_scenario,
    seat_rows,
    seat_scenario,
)

LAUNCH_RATE = 200.0  # calls SIPp starts a second; each then waits for its planned arrival
CALLER_TONE_HZ, SEAT_TONE_HZ = 440.0, 1000.0


def sipp_binary() -> str:
    found = shutil.which("sipp")
    if found is None:
        raise RuntimeError("SIPp is required (Debian package sip-tester; `make setup` installs it)")
    return found


def free_udp_port(span: int = 1) -> int:
    """A UDP port with the ``span - 1`` ports after it free too (SIPp's media uses port and port + 2)."""
    for _ in range(200):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.bind(("127.0.0.1", 0))
            port = int(probe.getsockname()[1])
        if port + span < 65535 and all(_udp_free(p) for p in range(port, port + span)):
            return port
    raise RuntimeError("no free UDP port range")


def _udp_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


@dataclass
class SippRun:
    """Where a run's SIPp files live and which ports it uses."""

    directory: Path
    asterisk: str  # host:port of Asterisk's SIP
    hotline_number: str
    seat_port: int
    caller_port: int
    seat_media_port: int
    caller_media_port: int

    def write(self, plan: CallPlan, seats: Iterable[tuple[str, str]], patience_seconds: float) -> None:
        """Pcaps, scenarios and injection files for the plan and the seats."""
        d = self.directory
        d.mkdir(parents=True, exist_ok=True)
        longest_talk = max((call.talk_seconds for call in plan.calls), default=0.0)
        (d / "caller-tone.pcap").write_bytes(rtp_tone_pcap(patience_seconds + 5, CALLER_TONE_HZ))
        (d / "seat-tone.pcap").write_bytes(rtp_tone_pcap(longest_talk + 5, SEAT_TONE_HZ))
        for path in plan.paths:
            for press in path.presses:
                (d / dtmf_file(press.keys)).write_bytes(rtp_dtmf_pcap(press.keys))
        (d / "callers.xml").write_text(caller_scenario(plan.paths, self.hotline_number, patience_seconds,
                                                       d / "caller-tone.pcap", d))
        (d / "callers.csv").write_text(caller_rows(plan, LAUNCH_RATE))
        (d / "seats.xml").write_text(seat_scenario(d / "seat-tone.pcap"))
        (d / "seats.csv").write_text(seat_rows(seats))
        (d / "register.xml").write_text(register_scenario())
        (d / "unregister.xml").write_text(register_scenario(expires_seconds=0))

    def register(self, seats: int, *, unregister: bool = False) -> None:
        """REGISTERs (or unregisters) the seats from the seat UAS's port; raises if any was refused."""
        name = "unregister" if unregister else "register"
        command = [sipp_binary(), self.asterisk, "-sf", str(self.directory / f"{name}.xml"),
                   "-inf", str(self.directory / "seats.csv"), "-m", str(seats), "-r", "50",
                   "-i", "127.0.0.1", "-p", str(self.seat_port), "-nostdin", "-timeout", "20",
                   "-timeout_error", "-trace_err", "-error_file", str(self.directory / f"{name}-errors.log")]
        result = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=60,
                                check=False)
        if result.returncode != 0:
            raise RuntimeError(f"seat {name} failed (SIPp exit {result.returncode}): "
                               f"{result.stderr.decode(errors='replace')[-500:]}")

    def start_seats(self) -> subprocess.Popen[bytes]:
        return self._start("seats", ["-sf", str(self.directory / "seats.xml"), "-p", str(self.seat_port),
                                     "-mp", str(self.seat_media_port)])

    def start_callers(self, calls: int, timeout_seconds: float) -> subprocess.Popen[bytes]:
        return self._start("callers", [
            self.asterisk, "-sf", str(self.directory / "callers.xml"), "-inf", str(self.directory / "callers.csv"),
            "-m", str(calls), "-l", str(calls), "-r", str(int(LAUNCH_RATE)), "-p", str(self.caller_port),
            "-mp", str(self.caller_media_port), "-timeout", str(int(timeout_seconds)),
            "-trace_stat", "-stf", str(self.directory / "callers-stats.csv"), "-fd", "5"])

    def _start(self, name: str, arguments: list[str]) -> subprocess.Popen[bytes]:
        command = [sipp_binary(), *arguments, "-i", "127.0.0.1", "-nostdin", "-max_socket", "4096",
                   "-trace_logs", "-log_file", str(self.directory / f"{name}-actions.log"),
                   "-trace_err", "-error_file", str(self.directory / f"{name}-errors.log")]
        return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                stdin=subprocess.DEVNULL, cwd=self.directory)

    def action_lines(self, name: str) -> list[str]:
        path = self.directory / f"{name}-actions.log"
        return path.read_text(errors="replace").splitlines() if path.exists() else []

    def error_lines(self, name: str) -> list[str]:
        path = self.directory / f"{name}-errors.log"
        if not path.exists():
            return []
        return [line for line in path.read_text(errors="replace").splitlines()
                if line.strip() and "The following events occurred" not in line
                and "Failed to delete FD from epoll" not in line]


def stop_process(process: subprocess.Popen[bytes], timeout: float = 10.0) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
