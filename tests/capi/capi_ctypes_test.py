#!/usr/bin/env python3
"""The C API from a managed language: Python's ctypes loads the shared
library and calls include/hashstore/c.h as a C#, Go or Rust binding would --
opaque handles, byte strings with lengths, char** errors freed with
hashstore_free, a reply tree walked and destroyed, a Python function as the
event callback. Every check compares with what the C++ API and Redis reply.

Usage: capi_ctypes_test.py LIBRARY.so   (exit status 0 when all passed)

Under AddressSanitizer the suite runs this with LD_PRELOAD of the ASan (and
UBSan) runtime, since python3 itself is not instrumented, and with leak
detection off, since the interpreter does not free everything at exit
(tests/capi/meson.build); capi_test.c checks the API's own leaks.
"""
import ctypes
import os
import sys
import tempfile

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAILED:", what, file=sys.stderr)


c_char_pp = ctypes.POINTER(ctypes.c_char_p)
size_t = ctypes.c_size_t
i64 = ctypes.c_int64
u64 = ctypes.c_uint64
vp = ctypes.c_void_p
EVENT_FN = ctypes.CFUNCTYPE(None, vp, vp)
DESTRUCTOR_FN = ctypes.CFUNCTYPE(None, vp)
CLOCK_FN = ctypes.CFUNCTYPE(i64, vp)


def load(path):
    lib = ctypes.CDLL(path)
    sig = {
        "hashstore_version": (ctypes.c_char_p, []),
        "hashstore_version_major": (ctypes.c_int, []),
        "hashstore_version_minor": (ctypes.c_int, []),
        "hashstore_version_patch": (ctypes.c_int, []),
        "hashstore_free": (None, [vp]),
        "hashstore_options_create": (vp, []),
        "hashstore_options_destroy": (None, [vp]),
        "hashstore_options_set_shards": (None, [vp, size_t]),
        "hashstore_options_set_hash_max_listpack_entries": (None, [vp, size_t]),
        "hashstore_options_set_clock": (None, [vp, vp, CLOCK_FN]),
        "hashstore_open": (vp, [vp, ctypes.POINTER(vp)]),
        "hashstore_close": (None, [vp]),
        "hashstore_strings_count": (size_t, [vp]),
        "hashstore_strings_get": (vp, [vp, size_t, ctypes.POINTER(size_t)]),
        "hashstore_strings_destroy": (None, [vp]),
        "hashstore_hset": (i64, [vp, ctypes.c_char_p, size_t, size_t, c_char_pp,
                                 ctypes.POINTER(size_t), c_char_pp, ctypes.POINTER(size_t),
                                 ctypes.POINTER(vp)]),
        "hashstore_hget": (vp, [vp, ctypes.c_char_p, size_t, ctypes.c_char_p, size_t,
                                ctypes.POINTER(size_t)]),
        "hashstore_hmget": (vp, [vp, ctypes.c_char_p, size_t, size_t, c_char_pp,
                                 ctypes.POINTER(size_t)]),
        "hashstore_hgetall": (vp, [vp, ctypes.c_char_p, size_t]),
        "hashstore_hincrby": (i64, [vp, ctypes.c_char_p, size_t, ctypes.c_char_p, size_t, i64,
                                    ctypes.POINTER(vp)]),
        "hashstore_hincrbyfloat": (vp, [vp, ctypes.c_char_p, size_t, ctypes.c_char_p, size_t,
                                        ctypes.c_char_p, size_t, ctypes.POINTER(size_t),
                                        ctypes.POINTER(vp)]),
        "hashstore_hlen": (i64, [vp, ctypes.c_char_p, size_t]),
        "hashstore_pexpire": (ctypes.c_int, [vp, ctypes.c_char_p, size_t, i64, ctypes.c_uint,
                                             ctypes.POINTER(vp)]),
        "hashstore_pttl": (i64, [vp, ctypes.c_char_p, size_t]),
        "hashstore_reserve_all": (ctypes.c_int, [vp, size_t, c_char_pp, ctypes.POINTER(size_t),
                                                 c_char_pp, ctypes.POINTER(size_t),
                                                 ctypes.POINTER(i64), ctypes.POINTER(i64),
                                                 ctypes.POINTER(vp)]),
        "hashstore_execute": (vp, [vp, size_t, c_char_pp, ctypes.POINTER(size_t)]),
        "hashstore_reply_type": (ctypes.c_int, [vp]),
        "hashstore_reply_integer": (i64, [vp]),
        "hashstore_reply_string": (vp, [vp, ctypes.POINTER(size_t)]),
        "hashstore_reply_length": (size_t, [vp]),
        "hashstore_reply_element": (vp, [vp, size_t]),
        "hashstore_reply_destroy": (None, [vp]),
        "hashstore_save": (None, [vp, ctypes.c_char_p, ctypes.POINTER(vp)]),
        "hashstore_load": (None, [vp, ctypes.c_char_p, ctypes.POINTER(vp)]),
        "hashstore_subscribe": (u64, [vp, vp, DESTRUCTOR_FN, EVENT_FN]),
        "hashstore_unsubscribe": (None, [vp, u64]),
        "hashstore_event_reason": (ctypes.c_int, [vp]),
        "hashstore_event_key": (vp, [vp, ctypes.POINTER(size_t)]),
        "hashstore_event_field_count": (size_t, [vp]),
        "hashstore_event_field": (vp, [vp, size_t, ctypes.POINTER(size_t)]),
    }
    for name, (restype, argtypes) in sig.items():
        fn = getattr(lib, name)
        fn.restype = restype
        fn.argtypes = argtypes
    return lib


class Error(Exception):
    pass


class Store:
    """A thin binding, as a user would write one: bytes in, bytes out."""

    def __init__(self, lib, listpack_entries=None, clock=None):
        self.lib = lib
        opts = lib.hashstore_options_create()
        if listpack_entries is not None:
            lib.hashstore_options_set_hash_max_listpack_entries(opts, listpack_entries)
        self._clock = None
        if clock is not None:
            self._clock = CLOCK_FN(lambda _state: clock())  # kept alive with the store
            lib.hashstore_options_set_clock(opts, None, self._clock)
        err = vp()
        self.db = lib.hashstore_open(opts, ctypes.byref(err))
        lib.hashstore_options_destroy(opts)
        self._raise(err)

    def close(self):
        self.lib.hashstore_close(self.db)
        self.db = None

    def _raise(self, err):
        if err.value:
            msg = ctypes.string_at(err.value)
            self.lib.hashstore_free(err)
            raise Error(msg.decode())

    def _take(self, ptr, n):
        """Copies a returned string and frees it."""
        if not ptr:
            return None
        data = ctypes.string_at(ptr, n.value)
        self.lib.hashstore_free(ptr)
        return data

    @staticmethod
    def _arrays(items):
        ptrs = (ctypes.c_char_p * len(items))(*items)
        lens = (size_t * len(items))(*[len(x) for x in items])
        return ptrs, lens

    def _list(self, handle):
        out = []
        n = size_t()
        for i in range(self.lib.hashstore_strings_count(handle)):
            p = self.lib.hashstore_strings_get(handle, i, ctypes.byref(n))
            out.append(None if not p else ctypes.string_at(p, n.value))
        self.lib.hashstore_strings_destroy(handle)
        return out

    def hset(self, key, mapping):
        f, fl = self._arrays(list(mapping.keys()))
        v, vl = self._arrays(list(mapping.values()))
        err = vp()
        r = self.lib.hashstore_hset(self.db, key, len(key), len(mapping), f, fl, v, vl,
                                    ctypes.byref(err))
        self._raise(err)
        return r

    def hget(self, key, field):
        n = size_t()
        return self._take(self.lib.hashstore_hget(self.db, key, len(key), field, len(field),
                                                  ctypes.byref(n)), n)

    def hmget(self, key, fields):
        f, fl = self._arrays(fields)
        return self._list(self.lib.hashstore_hmget(self.db, key, len(key), len(fields), f, fl))

    def hgetall(self, key):
        flat = self._list(self.lib.hashstore_hgetall(self.db, key, len(key)))
        return dict(zip(flat[0::2], flat[1::2]))

    def hincrby(self, key, field, n):
        err = vp()
        r = self.lib.hashstore_hincrby(self.db, key, len(key), field, len(field), n,
                                       ctypes.byref(err))
        self._raise(err)
        return r

    def hincrbyfloat(self, key, field, x):
        err = vp()
        n = size_t()
        p = self.lib.hashstore_hincrbyfloat(self.db, key, len(key), field, len(field), x, len(x),
                                            ctypes.byref(n), ctypes.byref(err))
        self._raise(err)
        return self._take(p, n)

    def reserve_all(self, items):
        k, kl = self._arrays([i[0] for i in items])
        f, fl = self._arrays([i[1] for i in items])
        amounts = (i64 * len(items))(*[i[2] for i in items])
        remaining = (i64 * len(items))()
        err = vp()
        r = self.lib.hashstore_reserve_all(self.db, len(items), k, kl, f, fl, amounts, remaining,
                                           ctypes.byref(err))
        self._raise(err)
        return list(remaining) if r == 1 else None

    def execute(self, *args):
        argv, lens = self._arrays(list(args))
        reply = self.lib.hashstore_execute(self.db, len(args), argv, lens)
        try:
            return self._walk(reply)
        finally:
            self.lib.hashstore_reply_destroy(reply)

    def _walk(self, r):
        t = self.lib.hashstore_reply_type(r)
        n = size_t()
        if t in (1, 5, 6):  # bulk, status, error
            s = ctypes.string_at(self.lib.hashstore_reply_string(r, ctypes.byref(n)), n.value)
            return Error(s.decode()) if t == 6 else (s if t == 1 else ("status", s))
        if t == 3:
            return self.lib.hashstore_reply_integer(r)
        if t == 4:
            return None
        return [self._walk(self.lib.hashstore_reply_element(r, i))
                for i in range(self.lib.hashstore_reply_length(r))]

    def save(self, path):
        err = vp()
        self.lib.hashstore_save(self.db, path.encode(), ctypes.byref(err))
        self._raise(err)

    def load(self, path):
        err = vp()
        self.lib.hashstore_load(self.db, path.encode(), ctypes.byref(err))
        self._raise(err)


def main():
    lib = load(sys.argv[1])
    check(lib.hashstore_version() ==
          "{}.{}.{}".format(lib.hashstore_version_major(), lib.hashstore_version_minor(),
                            lib.hashstore_version_patch()).encode(), "version")

    now = [1700000000000]
    s = Store(lib, listpack_entries=8, clock=lambda: now[0])
    check(s.hset(b"user:1", {b"name": b"Ann", b"bin": b"a\x00b"}) == 2, "hset counts new fields")
    check(s.hget(b"user:1", b"name") == b"Ann", "hget")
    check(s.hget(b"user:1", b"bin") == b"a\x00b", "hget is binary-safe")
    check(s.hget(b"user:1", b"nope") is None, "hget of a missing field")
    check(s.hmget(b"user:1", [b"name", b"nope"]) == [b"Ann", None], "hmget with a nil")
    check(s.hgetall(b"user:1") == {b"name": b"Ann", b"bin": b"a\x00b"}, "hgetall")
    check(s.hincrby(b"user:1", b"logins", 3) == 3, "hincrby")
    try:
        s.hincrby(b"user:1", b"name", 1)
        check(False, "hincrby of a string must fail")
    except Error as e:
        check(str(e) == "ERR hash value is not an integer", "hincrby error text: " + str(e))
    check(s.hincrbyfloat(b"p", b"price", b"19.99") == b"19.99", "hincrbyfloat")
    check(s.hincrbyfloat(b"p", b"price", b"0.5") == b"20.49", "hincrbyfloat formats as Redis")

    # The manual clock from Python drives TTLs.
    check(lib.hashstore_pexpire(s.db, b"user:1", 6, 1000, 0, None) == 1, "pexpire")
    check(lib.hashstore_pttl(s.db, b"user:1", 6) == 1000, "pttl by the Python clock")
    now[0] += 400
    check(lib.hashstore_pttl(s.db, b"user:1", 6) == 600, "the Python clock moved")

    # Conversion to a table at the 9th field (listpack_entries=8).
    s.hset(b"big", {b"f%d" % i: b"v" for i in range(9)})
    check(s.execute(b"OBJECT", b"ENCODING", b"big") == b"hashtable", "option reaches the store")

    check(s.execute(b"HSET", b"k", b"f", b"v") == 1, "execute integer")
    check(s.execute(b"HGETALL", b"k") == [b"f", b"v"], "execute array")
    check(s.execute(b"HSCAN", b"k", b"0") == [b"0", [b"f", b"v"]], "execute nested array")
    check(s.execute(b"HGET", b"k", b"x") is None, "execute nil")
    check(s.execute(b"PING") == ("status", b"PONG"), "execute status")
    e = s.execute(b"HINCRBY", b"k", b"f", b"1")
    check(isinstance(e, Error) and str(e) == "ERR hash value is not an integer", "execute error")

    s.hset(b"sku:1", {b"stock": b"5"})
    check(s.reserve_all([(b"sku:1", b"stock", 2), (b"sku:2", b"stock", 0 + 1)]) is None,
          "reserve_all: sku:2 is short, nothing taken")
    check(s.hget(b"sku:1", b"stock") == b"5", "nothing taken")
    s.hset(b"sku:2", {b"stock": b"1"})
    check(s.reserve_all([(b"sku:1", b"stock", 2), (b"sku:2", b"stock", 1)]) == [3, 0],
          "reserve_all takes the cart")

    # A Python callback receives events; its destructor runs at unsubscribe.
    events = []
    destroyed = []

    def on_event(_state, ev):
        n = size_t()
        key = ctypes.string_at(lib.hashstore_event_key(ev, ctypes.byref(n)), n.value)
        fields = []
        for i in range(lib.hashstore_event_field_count(ev)):
            p = lib.hashstore_event_field(ev, i, ctypes.byref(n))
            fields.append(ctypes.string_at(p, n.value))
        events.append((lib.hashstore_event_reason(ev), key, fields))

    cb = EVENT_FN(on_event)
    dcb = DESTRUCTOR_FN(lambda _state: destroyed.append(True))
    sid = lib.hashstore_subscribe(s.db, None, dcb, cb)
    s.hset(b"ev", {b"a": b"1"})
    s.execute(b"DEL", b"ev")
    check(events == [(0, b"ev", [b"a"]), (1, b"ev", [])], "events: %r" % events)
    lib.hashstore_unsubscribe(s.db, sid)
    check(destroyed == [True], "destructor ran at unsubscribe")
    s.hset(b"ev", {b"a": b"2"})
    check(len(events) == 2, "no event after unsubscribe")

    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "py.hsdb")
        s.save(path)
        t = Store(lib)
        t.load(path)
        check(t.hget(b"k", b"f") == b"v", "save / load round trip")
        try:
            t.load(path)
            check(False, "loading into a non-empty store must fail")
        except Error as e:
            check(str(e) == "ERR load: the store is not empty", "load error: " + str(e))
        t.close()
        try:
            s.save(os.path.join(d, "no", "such", "x.hsdb"))
            check(False, "saving into a missing directory must fail")
        except Error as e:
            check(os.path.join(d, "no", "such", "x.hsdb") in str(e) and ".tmp" not in str(e),
                  "save error names the path: " + str(e))
    s.close()

    if failures:
        print("capi_ctypes_test: %d failed" % len(failures))
        return 1
    print("capi_ctypes_test: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
