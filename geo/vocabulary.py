"""The programme's vocabulary: plain enums shared by every layer.

Each enum parses the labels people actually type in registry spreadsheets, including the
Indonesian ones, so validation lives in one place.
"""
from __future__ import annotations

from enum import StrEnum


class VocabularyError(ValueError):
    """A value is not one of an enum's accepted labels."""


class _Parsable(StrEnum):
    @classmethod
    def aliases(cls) -> dict[str, str]:
        return {}

    @classmethod
    def parse(cls, raw: object) -> _Parsable:
        text = str(raw).strip().lower().replace("-", "_").replace(" ", "_")
        text = cls.aliases().get(text, text)
        try:
            return cls(text)
        except ValueError:
            accepted = ", ".join(m.value for m in cls)
            raise VocabularyError(f"'{raw}' is not a valid {cls.label()}; use one of: {accepted}") from None

    @classmethod
    def label(cls) -> str:
        return cls.__name__


class OwnerClass(_Parsable):
    GOVERNMENT = "government"
    COMPANY = "company"
    HOUSING = "housing"
    PRIVATE = "private"

    @classmethod
    def aliases(cls) -> dict[str, str]:
        return {
            "pemerintah": "government", "pemda": "government", "pemprov": "government", "gov": "government",
            "perusahaan": "company", "swasta": "company", "business": "company",
            "perumahan": "housing", "rt/rw": "housing", "housing_estate": "housing",
            "pribadi": "private", "warga": "private", "resident": "private", "individual": "private",
        }

    @classmethod
    def label(cls) -> str:
        return "owner class"


class Connection(_Parsable):
    CONNECTED = "connected"
    REGISTERED = "registered"

    @classmethod
    def aliases(cls) -> dict[str, str]:
        return {"terhubung": "connected", "live": "connected", "online": "connected",
                "terdaftar": "registered", "registered_only": "registered"}

    @classmethod
    def label(cls) -> str:
        return "connection"


class CameraKind(_Parsable):
    FIXED = "fixed"
    DOME = "dome"
    PTZ = "ptz"

    @classmethod
    def aliases(cls) -> dict[str, str]:
        return {"bullet": "fixed", "box": "fixed", "statis": "fixed", "tetap": "fixed",
                "panning": "ptz", "kubah": "dome"}

    @classmethod
    def label(cls) -> str:
        return "camera kind"


class ConsentLevel(_Parsable):
    REGISTRY_ONLY = "registry_only"
    ON_REQUEST = "on_request"
    LIVE = "live"

    @classmethod
    def aliases(cls) -> dict[str, str]:
        return {"registry": "registry_only", "daftar": "registry_only", "request": "on_request",
                "atas_permintaan": "on_request", "langsung": "live"}

    @classmethod
    def label(cls) -> str:
        return "consent level"


class PostKind(_Parsable):
    POLRES = "polres"
    POLSEK = "polsek"
    SECURITY_POST = "security_post"

    @classmethod
    def aliases(cls) -> dict[str, str]:
        return {"pos": "security_post", "pos_pengamanan": "security_post", "pos_pam": "security_post",
                "post": "security_post"}

    @classmethod
    def label(cls) -> str:
        return "post kind"


class DistrictLevel(_Parsable):
    KECAMATAN = "kecamatan"
    KELURAHAN = "kelurahan"

    @classmethod
    def aliases(cls) -> dict[str, str]:
        return {"subdistrict": "kecamatan", "district": "kecamatan", "village": "kelurahan", "desa": "kelurahan"}

    @classmethod
    def label(cls) -> str:
        return "district level"


class Role(_Parsable):
    COMMANDER = "commander"
    OPERATOR = "operator"
    ADMIN = "admin"
    BRIEFING = "briefing"

    @classmethod
    def label(cls) -> str:
        return "role"


class FeedMode(_Parsable):
    ALWAYS_ON = "always_on"
    ON_DEMAND = "on_demand"
    OFF = "off"

    @classmethod
    def aliases(cls) -> dict[str, str]:
        return {"pinned": "always_on", "pin": "always_on"}

    @classmethod
    def label(cls) -> str:
        return "feed mode"


class AudioPolicy(_Parsable):
    """What a feed does with the camera's sound: encode it to AAC for the browser, or drop it."""

    AAC = "aac"
    DROP = "drop"

    @classmethod
    def label(cls) -> str:
        return "audio policy"


class FeedState(StrEnum):
    STOPPED = "stopped"
    STARTING = "starting"
    RUNNING = "running"
    STALLED = "stalled"
    BACKOFF = "backoff"
    FAILED = "failed"
