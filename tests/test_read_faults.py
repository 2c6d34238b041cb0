"""Every read fault is one Dutch line and exit 2, in controleer, anonimiseer, inzage and analyse:
a damaged .xlsx (compressed bytes or checksum), symbolic-link loops for the register, the
config and the private folder, and other operating-system errors."""

import datetime as dt
import struct
import zipfile

import pytest
from typer.testing import CliRunner

from generator.app.cli import app
from tests.conftest import complaint

runner = CliRunner()
COMMANDS = [["controleer"], ["anonimiseer"], ["inzage", "K2026-001"], ["analyse"]]
ROWS = [complaint(complaint_no="K2026-001", received=dt.date(2026, 3, 2), email="piet@klant.example"),
        complaint(complaint_no="K2026-002", received=dt.date(2026, 3, 3))]


def run(config_path, args):
    return runner.invoke(app, [*args, "--peildatum", "2026-11-21", "--config", str(config_path)])


def _member_data_offset(path, name):
    raw = path.read_bytes()
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo(name)
    n, m = struct.unpack("<HH", raw[info.header_offset + 26:info.header_offset + 30])
    return bytearray(raw), info, info.header_offset + 30 + n + m


def corrupt_compressed_bytes(path, name="xl/worksheets/sheet1.xml"):
    raw, info, start = _member_data_offset(path, name)
    for k in range(start + info.compress_size // 3, start + info.compress_size // 3 + 40):
        raw[k] ^= 0xFF
    path.write_bytes(bytes(raw))


def corrupt_checksum(path, name="xl/worksheets/sheet1.xml"):
    """Change the CRC-32 in the local header and the central directory: the bytes unpack fine,
    the checksum does not match."""
    raw, info, _ = _member_data_offset(path, name)
    wrong = struct.pack("<I", (info.CRC ^ 0x5A5A5A5A) & 0xFFFFFFFF)
    raw[info.header_offset + 14:info.header_offset + 18] = wrong
    pos = 0
    while (pos := raw.find(b"PK\x01\x02", pos)) >= 0:
        n = struct.unpack("<H", raw[pos + 28:pos + 30])[0]
        if raw[pos + 46:pos + 46 + n].decode() == name:
            raw[pos + 16:pos + 20] = wrong
        pos += 4
    path.write_bytes(bytes(raw))


@pytest.mark.parametrize("args", COMMANDS)
@pytest.mark.parametrize(("damage", "detail"), [(corrupt_compressed_bytes, "ingepakte gegevens zijn beschadigd"),
                                                (corrupt_checksum, "controlegetal klopt niet")])
def test_a_damaged_xlsx_is_one_dutch_line_and_exit_2(make_config, args, damage, detail):
    cfg = make_config(rows=ROWS)
    damage(cfg.register_path())
    with pytest.raises(zipfile.BadZipFile if damage is corrupt_checksum else Exception):
        with zipfile.ZipFile(cfg.register_path()) as zf:
            zf.read("xl/worksheets/sheet1.xml")
    result = run(cfg.path, args)
    assert result.exit_code == 2, result.output
    assert result.stderr.strip() == (f"Fout: '{cfg.register_path()}' is beschadigd ({detail}); zet een back-up "
                                     f"terug of open het in een spreadsheetprogramma en sla het opnieuw op")


LOOP = "symbolische koppelingen verwijzen in een kring naar elkaar (lus)"


@pytest.mark.parametrize("args", COMMANDS)
def test_a_register_path_in_a_symlink_loop(make_config, tmp_path, args):
    cfg = make_config(rows=ROWS)
    (tmp_path / "a.xlsx").symlink_to(tmp_path / "b.xlsx")
    (tmp_path / "b.xlsx").symlink_to(tmp_path / "a.xlsx")
    cfg.path.write_text(cfg.path.read_text(encoding="utf-8").replace('pad = "register.xlsx"', 'pad = "a.xlsx"'),
                        encoding="utf-8")
    result = run(cfg.path, args)
    assert result.exit_code == 2, result.output
    assert result.stderr.strip() == f"Fout: {tmp_path / 'a.xlsx'}: {LOOP}"


@pytest.mark.parametrize("args", COMMANDS)
def test_a_config_in_a_symlink_loop(make_config, tmp_path, args):
    make_config(rows=ROWS)
    (tmp_path / "x.toml").symlink_to(tmp_path / "y.toml")
    (tmp_path / "y.toml").symlink_to(tmp_path / "x.toml")
    result = run(tmp_path / "x.toml", args)
    assert result.exit_code == 2, result.output
    assert result.stderr.strip() == f"Fout: '{tmp_path / 'x.toml'}' kan niet worden gelezen: {LOOP}"


@pytest.mark.parametrize("args", COMMANDS)
def test_a_private_folder_in_a_symlink_loop(make_config, tmp_path, args):
    cfg = make_config(rows=ROWS, extra='[nachtrun]\nmap = "p1"\n')
    (tmp_path / "p1").symlink_to(tmp_path / "p2")
    (tmp_path / "p2").symlink_to(tmp_path / "p1")
    result = run(cfg.path, args)
    assert result.exit_code == 2, result.output
    assert result.stderr.strip().startswith(f"Fout: {tmp_path / 'p1'}")
    assert result.stderr.strip().endswith(LOOP)
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("args", COMMANDS)
def test_a_private_folder_that_is_a_file(make_config, tmp_path, args):
    cfg = make_config(rows=ROWS, extra='[nachtrun]\nmap = "privé"\n')
    (tmp_path / "privé").write_text("geen map\n", encoding="utf-8")
    result = run(cfg.path, args)
    assert result.exit_code == 2, result.output
    assert result.stderr.strip().startswith(f"Fout: {tmp_path / 'privé'}")
    assert len(result.stderr.strip().splitlines()) == 1
