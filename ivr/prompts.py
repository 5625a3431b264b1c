"""The IVR prompt catalogue and the generation of placeholder prompts with espeak-ng and sox.

Every prompt has a name (the file name Asterisk plays, without extension), its Chinese wording and
the same wording in tone-numbered pinyin.  espeak-ng 1.51 reads hanzi badly, but its
``cmn-latn-pinyin`` voice speaks tone-numbered pinyin as Mandarin.  That voice applies the 3-3 tone
sandhi itself but not the 一/不 sandhi, so the pinyin below carries the spoken tones
(``bu2 shi4``).

Generated files are placeholders: operators replace them with studio recordings, so existing files
are never overwritten unless ``force=True``.  Files are 8000 Hz, mono, 16-bit signed PCM WAV, the
format Asterisk's ``format_wav`` plays.
"""

from __future__ import annotations

import logging
import os
import subprocess
import tempfile
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from kernel.errors import QingquanError

__all__ = [
    "CATALOGUE",
    "Prompt",
    "PromptGenerationFailed",
    "generate_hold_music",
    "generate_prompts",
    "missing_prompts",
]

logger = logging.getLogger(__name__)

VOICE = "cmn-latn-pinyin"
SPEED_WPM = 160
TRAILING_SILENCE_S = 0.15
HOLD_MUSIC_NAME = "hold.wav"
_TIMEOUT_S = 60
_WORKERS = 2
_WAV_OUT = ("-t", "wav", "-r", "8000", "-c", "1", "-b", "16", "-e", "signed-integer")


class PromptGenerationFailed(QingquanError):
    code = "prompt_generation_failed"


@dataclass(frozen=True)
class Prompt:
    name: str
    text: str
    pinyin: str


_ENTRIES: tuple[tuple[str, str, str], ...] = (
    # digits and units, played one after another by ivr.say_zh
    ("d0", "零", "ling2"),
    ("d1", "一", "yi1"),
    ("d2", "二", "er4"),
    ("d3", "三", "san1"),
    ("d4", "四", "si4"),
    ("d5", "五", "wu3"),
    ("d6", "六", "liu4"),
    ("d7", "七", "qi1"),
    ("d8", "八", "ba1"),
    ("d9", "九", "jiu3"),
    ("ten", "十", "shi2"),
    ("hundred", "百", "bai3"),
    ("thousand", "千", "qian1"),
    ("wan", "万", "wan4"),
    ("liang", "两", "liang3"),
    ("point", "点", "dian3"),
    ("yuan", "元", "yuan2"),
    ("jiao", "角", "jiao3"),
    ("fen", "分", "fen1"),
    ("zheng", "整", "zheng3"),
    ("year", "年", "nian2"),
    ("month", "月", "yue4"),
    ("day", "日", "ri4"),
    # IVR phrases
    (
        "welcome",
        "您好，欢迎致电供水服务热线。",
        "nin2 hao3, huan1 ying2 zhi4 dian4 gong1 shui3 fu2 wu4 re4 xian4.",
    ),
    (
        "main-menu",
        "查询水费请按1，报修报漏请按2，投诉或咨询请按3，人工服务请按0。",
        "cha2 xun2 shui3 fei4 qing3 an4 yi1, bao4 xiu1 bao4 lou4 qing3 an4 er4, "
        "tou2 su4 huo4 zi1 xun2 qing3 an4 san1, ren2 gong1 fu2 wu4 qing3 an4 ling2.",
    ),
    (
        "enter-account",
        "请输入您的户号，以井号键结束。",
        "qing3 shu1 ru4 nin2 de hu4 hao4, yi3 jing3 hao4 jian4 jie2 shu4.",
    ),
    (
        "account-unknown",
        "您输入的户号不存在，请重新输入。",
        "nin2 shu1 ru4 de hu4 hao4 bu4 cun2 zai4, qing3 chong2 xin1 shu1 ru4.",
    ),
    ("bill-intro", "您本期应缴水费", "nin2 ben3 qi1 ying1 jiao3 shui3 fei4"),
    ("bill-none", "您目前没有应缴水费。", "nin2 mu4 qian2 mei2 you3 ying1 jiao3 shui3 fei4."),
    ("due-date-intro", "缴费截止日期为", "jiao3 fei4 jie2 zhi3 ri4 qi1 wei2"),
    # the rest of the bill, read by ivr.bill_speech: payment status, last meter reading, usage
    ("bill-paid", "本期水费已缴清。", "ben3 qi1 shui3 fei4 yi3 jiao3 qing1."),
    ("bill-unpaid", "本期水费尚未缴纳。", "ben3 qi1 shui3 fei4 shang4 wei4 jiao3 na4."),
    (
        "bill-overdue",
        "请注意，您的水费已逾期未缴，请尽快缴纳。",
        "qing3 zhu4 yi4, nin2 de shui3 fei4 yi3 yu2 qi1 wei4 jiao3, qing3 jin3 kuai4 jiao3 na4.",
    ),
    ("reading-date-intro", "上次抄表日期为", "shang4 ci4 chao1 biao3 ri4 qi1 wei2"),
    ("reading-intro", "水表读数为", "shui3 biao3 du2 shu4 wei2"),
    ("usage-intro", "本期用水量为", "ben3 qi1 yong4 shui3 liang4 wei2"),
    ("cubic-metres", "立方米。", "li4 fang1 mi3."),
    (
        "after-bill",
        "重听请按1，人工服务请按0。",
        "chong2 ting1 qing3 an4 yi1, ren2 gong1 fu2 wu4 qing3 an4 ling2.",
    ),
    (
        "transfer-agent",
        "正在为您转接人工服务，请稍候。",
        "zheng4 zai4 wei4 nin2 zhuan3 jie1 ren2 gong1 fu2 wu4, qing3 shao1 hou4.",
    ),
    ("repair-intro", "报修报漏服务。", "bao4 xiu1 bao4 lou4 fu2 wu4."),
    ("complaint-intro", "投诉咨询服务。", "tou2 su4 zi1 xun2 fu2 wu4."),
    ("invalid-input", "输入有误，请重新选择。", "shu1 ru4 you3 wu4, qing3 chong2 xin1 xuan3 ze2."),
    ("no-input", "对不起，没有收到您的输入。", "dui4 bu qi3, mei2 you3 shou1 dao4 nin2 de shu1 ru4."),
    ("goodbye", "感谢您的来电，再见。", "gan3 xie4 nin2 de lai2 dian4, zai4 jian4."),
    ("lines-busy", "线路正忙，请稍后再拨。", "xian4 lu4 zheng4 mang2, qing3 shao1 hou4 zai4 bo1."),
    (
        "not-in-service",
        "您拨打的号码不是服务热线，请核对后再拨。",
        "nin2 bo1 da3 de hao4 ma3 bu2 shi4 fu2 wu4 re4 xian4, qing3 he2 dui4 hou4 zai4 bo1.",
    ),
    ("queue-position", "您前面还有", "nin2 qian2 mian4 hai2 you3"),
    ("queue-callers", "位客户在等候。", "wei4 ke4 hu4 zai4 deng3 hou4."),
    ("queue-wait", "预计等候时间约", "yu4 ji4 deng3 hou4 shi2 jian1 yue1"),
    ("minutes", "分钟。", "fen1 zhong1."),
    (
        "callback-offer",
        "如需我们按排队顺序给您回电，请按1；继续等候请按2。",
        "ru2 xu1 wo3 men an4 pai2 dui4 shun4 xu4 gei3 nin2 hui2 dian4, qing3 an4 yi1, "
        "ji4 xu4 deng3 hou4 qing3 an4 er4.",
    ),
    (
        "callback-confirmed",
        "好的，轮到您时我们会给您回电，再见。",
        "hao3 de, lun2 dao4 nin2 shi2 wo3 men hui4 gei3 nin2 hui2 dian4, zai4 jian4.",
    ),
    # night service: the queue is closed; the next opening (day, then the time read by ivr.say_zh); a callback
    ("night-closed", "您好，现在是非工作时间。", "nin2 hao3, xian4 zai4 shi4 fei1 gong1 zuo4 shi2 jian1."),
    ("night-opens-at", "人工服务将于", "ren2 gong1 fu2 wu4 jiang1 yu2"),
    ("night-today", "今天", "jin1 tian1"),
    ("night-tomorrow", "明天", "ming2 tian1"),
    ("night-opens", "开放。", "kai1 fang4."),
    (
        "night-callback-offer",
        "如需我们在工作时间给您回电，请按1。",
        "ru2 xu1 wo3 men zai4 gong1 zuo4 shi2 jian1 gei3 nin2 hui2 dian4, qing3 an4 yi1.",
    ),
    (
        "night-callback-confirmed",
        "好的，我们将在工作时间给您回电，再见。",
        "hao3 de, wo3 men jiang1 zai4 gong1 zuo4 shi2 jian1 gei3 nin2 hui2 dian4, zai4 jian4.",
    ),
    (
        "night-callback-unavailable",
        "对不起，暂时无法登记回电，请在工作时间再拨。",
        "dui4 bu qi3, zan4 shi2 wu2 fa3 deng1 ji4 hui2 dian4, qing3 zai4 gong1 zuo4 shi2 jian1 zai4 bo1.",
    ),
    (
        "emergency-notice",
        "目前供水抢修繁忙，我们已增开坐席，请您耐心等候。",
        "mu4 qian2 gong1 shui3 qiang3 xiu1 fan2 mang2, wo3 men yi3 zeng1 kai1 zuo4 xi2, "
        "qing3 nin2 nai4 xin1 deng3 hou4.",
    ),
    # outage notices (停水公告), then the restoration date and hour read by ivr.say_zh and 点
    ("outage-notice", "您所在供水区域正在停水。", "nin2 suo3 zai4 gong1 shui3 qu1 yu4 zheng4 zai4 ting2 shui3."),
    ("outage-planned", "本次为计划停水。", "ben3 ci4 wei2 ji4 hua4 ting2 shui3."),
    ("outage-emergency", "本次为抢修停水。", "ben3 ci4 wei2 qiang3 xiu1 ting2 shui3."),
    ("outage-restore", "预计恢复供水时间为", "yu4 ji4 hui1 fu4 gong1 shui3 shi2 jian1 wei2"),
    (
        "outage-choice",
        "如已了解请挂机，需要人工服务请按0。",
        "ru2 yi3 liao3 jie3 qing3 gua4 ji1, xu1 yao4 ren2 gong1 fu2 wu4 qing3 an4 ling2.",
    ),
    (
        "billing-unavailable",
        "对不起，查询系统暂时无法使用，正在为您转接人工服务。",
        "dui4 bu qi3, cha2 xun2 xi4 tong3 zan4 shi2 wu2 fa3 shi3 yong4, "
        "zheng4 zai4 wei4 nin2 zhuan3 jie1 ren2 gong1 fu2 wu4.",
    ),
    # the post-call satisfaction survey (ivr.survey): after the agent hangs up
    (
        "survey-ask",
        "请您对本次服务进行评价：非常满意请按5，满意请按4，一般请按3，不满意请按2，非常不满意请按1。",
        "qing3 nin2 dui4 ben3 ci4 fu2 wu4 jin4 xing2 ping2 jia4, fei1 chang2 man3 yi4 qing3 an4 wu3, "
        "man3 yi4 qing3 an4 si4, yi4 ban1 qing3 an4 san1, bu4 man3 yi4 qing3 an4 er4, "
        "fei1 chang2 bu4 man3 yi4 qing3 an4 yi1.",
    ),
    ("survey-thanks", "感谢您的评价，再见。", "gan3 xie4 nin2 de ping2 jia4, zai4 jian4."),
)

CATALOGUE: dict[str, Prompt] = {name: Prompt(name, text, pinyin) for name, text, pinyin in _ENTRIES}


def missing_prompts(prompt_dir: Path) -> list[str]:
    """Catalogue names that have no ``<name>.wav`` in ``prompt_dir``."""
    return [name for name in CATALOGUE if not (prompt_dir / f"{name}.wav").is_file()]


def _run(cmd: Sequence[str], what: str) -> None:
    """Run a tool; any failure becomes :class:`PromptGenerationFailed` naming ``what``."""
    try:
        subprocess.run(cmd, check=True, capture_output=True, timeout=_TIMEOUT_S)
    except FileNotFoundError as exc:
        raise PromptGenerationFailed(f"{what}: {cmd[0]!r} is not installed or not on PATH") from exc
    except subprocess.TimeoutExpired as exc:
        raise PromptGenerationFailed(f"{what}: {cmd[0]!r} timed out after {_TIMEOUT_S}s") from exc
    except subprocess.CalledProcessError as exc:
        stderr = exc.stderr.decode(errors="replace").strip()[-500:]
        raise PromptGenerationFailed(f"{what}: {cmd[0]!r} exited with {exc.returncode}: {stderr}") from exc


def _install(tmp: Path, target: Path, *, force: bool) -> bool:
    """Move a finished temp file to ``target``; without ``force`` an existing target is kept."""
    if force:
        os.replace(tmp, target)
        return True
    try:
        os.link(tmp, target)  # atomic create-if-absent
    except FileExistsError:
        return False
    except OSError:  # file system without hard links
        if target.exists():
            return False
        os.replace(tmp, target)
        return True
    return True


def _write_atomically(target: Path, produce: Iterable[Sequence[str]], what: str, force: bool) -> bool:
    """Run the commands in ``produce`` (``{tmp}`` is replaced by a temp path) then install it."""
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    os.chmod(tmp_name, 0o644)  # mkstemp makes it 0600; Asterisk usually runs as another user
    try:
        for cmd in produce:
            _run([tmp_name if arg == "{tmp}" else arg for arg in cmd], what)
        return _install(Path(tmp_name), target, force=force)
    finally:
        Path(tmp_name).unlink(missing_ok=True)


def _generate_one(prompt: Prompt, target: Path, *, force: bool, espeak: str, sox: str) -> bool:
    """Speak ``prompt`` with espeak-ng and convert it with sox; False if ``target`` was kept."""
    what = f"prompt {prompt.name!r}"
    with tempfile.TemporaryDirectory(prefix="qingquan-tts-") as work:
        raw = str(Path(work) / "raw.wav")
        # Note: never pass -q to espeak-ng here; with -q it silently writes no file.
        speak = [espeak, "-v", VOICE, "-s", str(SPEED_WPM), "-w", raw, prompt.pinyin]
        # espeak-ng ends every utterance with ~0.3 s of silence: trim it, then pad a shorter one.
        convert = [
            sox, "-V1", raw, *_WAV_OUT, "{tmp}",
            "reverse", "silence", "1", "0.005", "-50d", "reverse",
            "gain", "-n", "-3", "pad", "0", str(TRAILING_SILENCE_S),
        ]  # fmt: skip
        return _write_atomically(target, (speak, convert), what, force)


def _select(names: Iterable[str] | None) -> list[Prompt]:
    if names is None:
        return list(CATALOGUE.values())
    wanted = list(dict.fromkeys(names))
    unknown = [name for name in wanted if name not in CATALOGUE]
    if unknown:
        raise ValueError(f"unknown prompt name(s): {', '.join(unknown)}")
    return [CATALOGUE[name] for name in wanted]


def generate_prompts(
    prompt_dir: Path,
    *,
    force: bool = False,
    espeak: str = "espeak-ng",
    sox: str = "sox",
    names: Iterable[str] | None = None,
) -> list[Path]:
    """Write ``prompt_dir/<name>.wav`` for the catalogue (or ``names``); return the files written.

    Existing files are kept unless ``force``.  Raises :class:`PromptGenerationFailed` if espeak-ng
    or sox is missing or fails, and ``ValueError`` for a name not in the catalogue.
    """
    prompts = _select(names)
    prompt_dir.mkdir(parents=True, exist_ok=True)
    todo = [p for p in prompts if force or not (prompt_dir / f"{p.name}.wav").exists()]

    def work(prompt: Prompt) -> Path | None:
        target = prompt_dir / f"{prompt.name}.wav"
        written = _generate_one(prompt, target, force=force, espeak=espeak, sox=sox)
        return target if written else None

    with ThreadPoolExecutor(max_workers=_WORKERS, thread_name_prefix="prompt-gen") as pool:
        results = list(pool.map(work, todo))
    written = [path for path in results if path is not None]
    logger.info(
        "generated %d prompt(s) in %s (%d kept)", len(written), prompt_dir, len(prompts) - len(written)
    )
    return written


# A I-vi-IV-V-I-vi-ii-V progression, one bar of 2.5 s each, as semitones from C4.
_CHORDS: tuple[tuple[int, int, int], ...] = (
    (0, 4, 7), (-3, 0, 4), (-7, -3, 0), (-5, -1, 2),
    (0, 4, 7), (-3, 0, 4), (-10, -7, -3), (-5, -1, 2),
)  # fmt: skip
_BAR_S = 2.5
_NOTE_S = 0.5
HOLD_MUSIC_SECONDS = len(_CHORDS) * _BAR_S


def _note_hz(semitones_from_c4: int) -> str:
    return f"{261.6256 * 2 ** (semitones_from_c4 / 12):.2f}"


def _hold_music_command(sox: str) -> list[str]:
    """One sox command: each plucked note on its own channel, delayed into place, mixed to mono."""
    synth: list[str] = []
    delays: list[str] = []
    for bar, (root, third, fifth) in enumerate(_CHORDS):
        for step, note in enumerate((root, third, fifth, root + 12, fifth)):
            synth += ["pluck", _note_hz(note)]
            delays.append(f"{bar * _BAR_S + step * _NOTE_S:.2f}")
    length = f"{HOLD_MUSIC_SECONDS:g}"
    return [
        sox, "-V1", "-R", "-c", str(len(delays)), "-r", "44100", "-n", *_WAV_OUT, "{tmp}",
        "synth", length, *synth, "delay", *delays, "remix", "-",
        "lowpass", "2500", "reverb", "40", "50", "70", "trim", "0", length,
        "gain", "-n", "-12", "fade", "t", "0.05", length, "0.4",
    ]  # fmt: skip


def generate_hold_music(moh_dir: Path, *, force: bool = False, sox: str = "sox") -> Path:
    """Write a soft ~20 s looping arpeggio as ``moh_dir/hold.wav`` (kept if present unless ``force``)."""
    moh_dir.mkdir(parents=True, exist_ok=True)
    target = moh_dir / HOLD_MUSIC_NAME
    if force or not target.exists():
        written = _write_atomically(target, [_hold_music_command(sox)], "hold music", force)
        if written:
            logger.info("generated hold music %s", target)
    return target
