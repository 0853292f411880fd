"""A warm pocketsphinx decoder for Sayso, speaking JSON lines over stdio.

Started once by pocketsphinx-process.ts: loading the acoustic model and the general language
model takes ~0.3-1 s, so it must not happen per utterance. Requests are answered one at a time,
in order. Needs Debian's python3-pocketsphinx (run with /usr/bin/python3, whose dist-packages
hold it). Never writes audio or transcripts anywhere but stdout.

argv[1]: {"model": "/usr/share/pocketsphinx/model/en-us", "cmn": "batch", "flags": {"-maxhmmpf": 5000}}
In:  {"id": 1, "op": "decode", "search": "general", "audio": "<base64 s16le 16 kHz mono>"}
     {"id": 2, "op": "lm", "name": "mixed", "path": "/tmp/x.arpa", "mix": 0.5}  (mix: null = alone)
     {"id": 3, "op": "jsgf", "name": "grammar", "path": "/tmp/x.gram"}
     {"id": 4, "op": "missing", "words": ["sayso"]}   -> {"missing": ["sayso"]}
     {"id": 5, "op": "words", "words": [["sayso", "S EY S OW"]]}
     {"id": 6, "op": "begin", "search": "mixed"}, then "feed" {"audio"} -> {"text": partial},
     then "finish" -> like decode (a stream: interim results while audio arrives)
Out: {"ready": true, "ms": 950} once, then {"id": 1, "text": "...", "confidence": 0.8, "ms": 120}
     or {"id": 1, "error": "..."}
"""
import base64
import ctypes
import json
import os
import sys
import time

from pocketsphinx import Decoder, NGramModel

OPTIONS = json.loads(sys.argv[1]) if len(sys.argv) > 1 else {}
MODEL = OPTIONS.get("model", "/usr/share/pocketsphinx/model/en-us")
FILLERS = {"<s>", "</s>", "<sil>", "[NOISE]", "[SPEECH]", "[BREATH]", "[COUGH]", "[UM]", "[UH]"}


def load_c():
    # SWIG exposes LM sets but neither their interpolation nor handing one to the decoder, so
    # those two calls go to the C libraries directly.
    base = ctypes.CDLL("libsphinxbase.so.3")
    base.ngram_model_set_init.restype = ctypes.c_void_p
    base.ngram_model_set_init.argtypes = [
        ctypes.c_void_p, ctypes.POINTER(ctypes.c_void_p), ctypes.POINTER(ctypes.c_char_p),
        ctypes.POINTER(ctypes.c_float), ctypes.c_int32]
    ps = ctypes.CDLL("libpocketsphinx.so.3")
    ps.ps_set_lm.restype = ctypes.c_int
    ps.ps_set_lm.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_void_p]
    return base, ps


def main():
    started = time.time()
    config = Decoder.default_config()
    config.set_string("-hmm", os.path.join(MODEL, "en-us"))
    config.set_string("-dict", os.path.join(MODEL, "cmudict-en-us.dict"))
    config.set_string("-lm", os.path.join(MODEL, "en-us.lm.bin"))
    config.set_string("-cmn", OPTIONS.get("cmn", "live"))
    config.set_string("-logfn", "/dev/null")
    for flag, value in OPTIONS.get("flags", {}).items():  # e.g. {"-maxhmmpf": 5000}
        if isinstance(value, bool):
            config.set_boolean(flag, value)
        elif isinstance(value, int):
            config.set_int(flag, value)
        elif isinstance(value, float):
            config.set_float(flag, value)
        else:
            config.set_string(flag, value)
    decoder = Decoder(config)
    logmath = decoder.get_logmath()
    general = decoder.get_lm("_default")  # pocketsphinx names the -lm search "_default"
    searches = {"general": "_default"}
    sphinxbase, pocketsphinx = load_c()
    keep = {}  # search name -> the Python owner of its small model (replaced with the search)

    def set_mixed_lm(name, path, weight):
        # Interpolated, every word is scored by both models: commands gain from the small
        # model while free dictation keeps the general one. The general model is shared.
        small = NGramModel(decoder.get_config(), logmath, path)
        models = (ctypes.c_void_p * 2)(int(small.this), int(general.this))
        names = (ctypes.c_char_p * 2)(b"commands", b"general")
        # The set adds log weights to scores already multiplied by the language weight (-lw),
        # so a weight w must be given as w ** lw to mean w in probability terms.
        lw = decoder.get_config().get_float("-lw")
        weights = (ctypes.c_float * 2)(weight ** lw, (1.0 - weight) ** lw)
        lmset = sphinxbase.ngram_model_set_init(None, models, names, weights, 2)
        if not lmset or pocketsphinx.ps_set_lm(int(decoder.this), name.encode(), lmset) < 0:
            raise RuntimeError("could not build the mixed language model")
        keep[name] = small

    def result(t):
        hyp = decoder.hyp()
        words = [s for s in decoder.seg() if s.word not in FILLERS] if hyp and hyp.hypstr else []
        # Mean word posterior: the whole-sentence posterior shrinks with length.
        confidence = sum(logmath.exp(s.prob) for s in words) / len(words) if words else 0.0
        text = hyp.hypstr if words else ""
        return {"text": text, "confidence": round(confidence, 4), "ms": round((time.time() - t) * 1000)}

    def use(search_name):
        search = searches.get(search_name or "general")
        if search is None:
            raise ValueError("unknown search %r" % search_name)
        if decoder.get_search() != search:
            decoder.set_search(search)

    stream = {}

    def handle(req):
        op = req.get("op")
        if op == "decode":
            use(req.get("search"))
            t = time.time()
            decoder.start_utt()
            decoder.process_raw(base64.b64decode(req.get("audio", "")), False, True)
            decoder.end_utt()
            return result(t)
        if op == "begin":
            use(req.get("search"))
            stream["t"] = time.time()
            decoder.start_utt()
            return {}
        if op == "feed":
            decoder.process_raw(base64.b64decode(req.get("audio", "")), False, False)
            hyp = decoder.hyp()
            return {"text": hyp.hypstr if hyp else ""}
        if op == "finish":
            decoder.end_utt()
            return result(stream.pop("t", time.time()))
        if op == "lm":
            if req.get("mix") is None:
                decoder.set_lm_file(req["name"], req["path"])
            else:
                set_mixed_lm(req["name"], req["path"], float(req["mix"]))
            searches[req["name"]] = req["name"]
            return {}
        if op == "jsgf":
            decoder.set_jsgf_file(req["name"], req["path"])
            searches[req["name"]] = req["name"]
            return {}
        if op == "missing":
            return {"missing": [w for w in req["words"] if decoder.lookup_word(w) is None]}
        if op == "words":
            for word, phones in req["words"]:
                if decoder.lookup_word(word) is None:
                    decoder.add_word(word, phones, 1)
            return {}
        raise ValueError("unknown op %r" % op)

    out = sys.stdout
    out.write(json.dumps({"ready": True, "ms": round((time.time() - started) * 1000)}) + "\n")
    out.flush()
    for line in sys.stdin:
        if not line.strip():
            continue
        req = json.loads(line)
        try:
            reply = handle(req)
        except Exception as err:  # one bad request must not kill the warm decoder
            reply = {"error": "%s: %s" % (type(err).__name__, err)}
        reply["id"] = req.get("id")
        out.write(json.dumps(reply) + "\n")
        out.flush()


if __name__ == "__main__":
    main()
