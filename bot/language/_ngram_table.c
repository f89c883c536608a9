/*
 * The n-gram model's hot path in C: find the rows of a text's character n-grams and
 * add them up.
 *
 * In Python each n-gram of a word not seen before costs a string slice and a look-up in
 * a dict of 600,000 strings (about 0.4 us, mostly cache misses), some 25 of them per
 * word. Here a table of 64-bit hashes of the model's features replaces the dict: a
 * word's n-grams are hashed as the word is read, their rows are looked up with the
 * table slots prefetched, and the rows are summed in float32.
 *
 * bot/language/ngram.py uses this module when it was built (setup.py; a C compiler
 * and Python's headers) and its own Python code otherwise; the tests check that both
 * give the same sums. Features are those of ngram.token_features: every min..max-gram
 * of " token " and, for a token longer than max - 2 letters, the word itself after a
 * mark character.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

#define FNV_OFFSET 0xcbf29ce484222325ULL
#define FNV_PRIME 0x100000001b3ULL
#define MAX_FEATURES 4096 /* per call; longer inputs are read in several batches */

static inline uint64_t hash_step(uint64_t h, Py_UCS4 c) {
    h ^= (uint64_t)c;
    return h * FNV_PRIME;
}

/* Spreads FNV's low bits before they pick a slot (murmur3's finaliser). */
static inline uint64_t mix(uint64_t h) {
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

typedef struct {
    PyObject_HEAD
    uint64_t *keys;  /* mixed hash per slot */
    int32_t *rows;   /* feature row per slot, -1 when empty */
    uint64_t mask;   /* slots - 1 */
    Py_ssize_t size; /* features stored */
    int min_order;
    int max_order;
    Py_UCS4 word_mark;
} FeatureTable;

/* h carried on over every character of text, then mixed: a feature's key. */
static uint64_t hash_text(uint64_t h, PyObject *text) {
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t length = PyUnicode_GET_LENGTH(text);
    for (Py_ssize_t i = 0; i < length; i++) h = hash_step(h, PyUnicode_READ(kind, data, i));
    return mix(h);
}

static int32_t find(const FeatureTable *table, uint64_t key) {
    uint64_t slot = key & table->mask;
    for (;;) {
        int32_t row = table->rows[slot];
        if (row < 0 || table->keys[slot] == key) return row;
        slot = (slot + 1) & table->mask;
    }
}

static void FeatureTable_dealloc(FeatureTable *self) {
    PyMem_Free(self->keys);
    PyMem_Free(self->rows);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

/* FeatureTable(features, min_order, max_order, word_mark): row i is features[i]. */
static int FeatureTable_init(FeatureTable *self, PyObject *args, PyObject *kwds) {
    static char *kwlist[] = {"features", "min_order", "max_order", "word_mark", NULL};
    PyObject *features;
    PyObject *mark;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "OiiU", kwlist, &features, &self->min_order, &self->max_order, &mark))
        return -1;
    if (PyUnicode_GET_LENGTH(mark) != 1) {
        PyErr_SetString(PyExc_ValueError, "word_mark must be one character");
        return -1;
    }
    if (self->min_order < 1 || self->max_order < self->min_order || self->max_order > 16) {
        PyErr_SetString(PyExc_ValueError, "orders must satisfy 1 <= min_order <= max_order <= 16");
        return -1;
    }
    self->word_mark = PyUnicode_READ_CHAR(mark, 0);
    PyObject *sequence = PySequence_Fast(features, "features must be a sequence of str");
    if (!sequence) return -1;
    Py_ssize_t count = PySequence_Fast_GET_SIZE(sequence);
    if (count >= INT32_MAX) {
        Py_DECREF(sequence);
        PyErr_SetString(PyExc_ValueError, "too many features");
        return -1;
    }
    uint64_t slots = 16;
    while (slots < (uint64_t)count * 2) slots <<= 1; /* load at most 1/2: short probe runs */
    PyMem_Free(self->keys);
    PyMem_Free(self->rows);
    self->keys = PyMem_Calloc(slots, sizeof(uint64_t));
    self->rows = PyMem_Malloc(slots * sizeof(int32_t));
    if (!self->keys || !self->rows) {
        Py_DECREF(sequence);
        PyErr_NoMemory();
        return -1;
    }
    memset(self->rows, 0xff, slots * sizeof(int32_t));
    self->mask = slots - 1;
    self->size = 0;
    PyObject **items = PySequence_Fast_ITEMS(sequence);
    for (Py_ssize_t i = 0; i < count; i++) {
        if (!PyUnicode_Check(items[i])) {
            Py_DECREF(sequence);
            PyErr_SetString(PyExc_TypeError, "features must be str");
            return -1;
        }
        uint64_t key = hash_text(FNV_OFFSET, items[i]);
        uint64_t slot = key & self->mask;
        while (self->rows[slot] >= 0) {
            if (self->keys[slot] == key) {
                Py_DECREF(sequence);
                PyErr_Format(PyExc_ValueError, "features %zd and %d have the same hash (or are equal)", i, self->rows[slot]);
                return -1;
            }
            slot = (slot + 1) & self->mask;
        }
        self->keys[slot] = key;
        self->rows[slot] = (int32_t)i;
        self->size++;
    }
    Py_DECREF(sequence);
    return 0;
}

/* Hashes of every feature of one token, appended to keys; returns how many. */
static Py_ssize_t token_keys(const FeatureTable *table, PyObject *token, uint64_t *keys) {
    int kind = PyUnicode_KIND(token);
    const void *data = PyUnicode_DATA(token);
    Py_ssize_t length = PyUnicode_GET_LENGTH(token);
    Py_ssize_t padded = length + 2;
    Py_ssize_t n = 0;
    for (Py_ssize_t start = 0; start < padded; start++) {
        uint64_t h = FNV_OFFSET;
        for (int order = 1; order <= table->max_order && start + order <= padded; order++) {
            Py_ssize_t at = start + order - 1;
            Py_UCS4 c = (at == 0 || at == padded - 1) ? ' ' : PyUnicode_READ(kind, data, at - 1);
            h = hash_step(h, c);
            /* A lone padding space is not a feature (as in ngram._slices). */
            if (order >= table->min_order && !(order == 1 && (at == 0 || at == padded - 1))) keys[n++] = mix(h);
        }
    }
    if (padded > table->max_order) keys[n++] = hash_text(hash_step(FNV_OFFSET, table->word_mark), token);
    return n;
}

/* Adds the rows of keys[0..n) to out; returns how many were found. */
static Py_ssize_t add_rows(const FeatureTable *table, const uint64_t *keys, Py_ssize_t n, const float *logp,
                           Py_ssize_t width, float *out) {
    int32_t rows[MAX_FEATURES];
    for (Py_ssize_t i = 0; i < n; i++) __builtin_prefetch(&table->rows[keys[i] & table->mask]);
    Py_ssize_t found = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        int32_t row = find(table, keys[i]);
        if (row >= 0) {
            rows[found++] = row;
            __builtin_prefetch(logp + (Py_ssize_t)row * width);
        }
    }
    for (Py_ssize_t i = 0; i < found; i++) {
        const float *values = logp + (Py_ssize_t)rows[i] * width;
        for (Py_ssize_t j = 0; j < width; j++) out[j] += values[j];
    }
    return found;
}

/* Whether the table was initialised (a FeatureTable.__new__ without __init__ has no arrays). */
static int ready(const FeatureTable *self) {
    if (self->rows) return 1;
    PyErr_SetString(PyExc_RuntimeError, "FeatureTable was not initialised");
    return 0;
}

/* add_scores(tokens, logp, out) -> count: adds the logp rows (float32, C order, one row
 * per feature) of every feature of every token to out (float32, one value per column)
 * and returns how many features the table knew. The buffers are read as bytes: the
 * caller (NgramModel) passes its own float32 arrays. */
static PyObject *FeatureTable_add_scores(FeatureTable *self, PyObject *args) {
    if (!ready(self)) return NULL;
    PyObject *tokens;
    Py_buffer logp, out;
    if (!PyArg_ParseTuple(args, "Oy*w*", &tokens, &logp, &out)) return NULL;
    PyObject *sequence = NULL;
    Py_ssize_t total = -1;
    Py_ssize_t width = out.len / (Py_ssize_t)sizeof(float);
    if (width <= 0 || out.len % (Py_ssize_t)sizeof(float) || logp.len % (width * (Py_ssize_t)sizeof(float)) ||
        logp.len / (width * (Py_ssize_t)sizeof(float)) < self->size) {
        PyErr_SetString(PyExc_ValueError, "logp must have a row of out's width per feature");
        goto done;
    }
    sequence = PySequence_Fast(tokens, "tokens must be a sequence of str");
    if (!sequence) goto done;
    Py_ssize_t count = PySequence_Fast_GET_SIZE(sequence);
    PyObject **items = PySequence_Fast_ITEMS(sequence);
    uint64_t keys[MAX_FEATURES];
    Py_ssize_t n = 0;
    total = 0;
    for (Py_ssize_t i = 0; i < count; i++) {
        PyObject *token = items[i];
        if (!PyUnicode_Check(token)) {
            PyErr_SetString(PyExc_TypeError, "tokens must be str");
            total = -1;
            goto done;
        }
        Py_ssize_t length = PyUnicode_GET_LENGTH(token);
        Py_ssize_t most = (length + 2) * self->max_order + 1;
        if (most > MAX_FEATURES) {
            PyErr_SetString(PyExc_ValueError, "token too long (cut tokens to MAX_TOKEN first)");
            total = -1;
            goto done;
        }
        if (n + most > MAX_FEATURES) {
            total += add_rows(self, keys, n, (const float *)logp.buf, width, (float *)out.buf);
            n = 0;
        }
        n += token_keys(self, token, keys + n);
    }
    total += add_rows(self, keys, n, (const float *)logp.buf, width, (float *)out.buf);
done:
    Py_XDECREF(sequence);
    PyBuffer_Release(&logp);
    PyBuffer_Release(&out);
    if (total < 0) return NULL;
    return PyLong_FromSsize_t(total);
}

static PyObject *FeatureTable_get(FeatureTable *self, PyObject *feature) {
    if (!ready(self)) return NULL;
    if (!PyUnicode_Check(feature)) {
        PyErr_SetString(PyExc_TypeError, "feature must be str");
        return NULL;
    }
    int32_t row = find(self, hash_text(FNV_OFFSET, feature));
    if (row < 0) Py_RETURN_NONE;
    return PyLong_FromLong(row);
}

static Py_ssize_t FeatureTable_len(FeatureTable *self) { return self->size; }

static PyMethodDef FeatureTable_methods[] = {
    {"add_scores", (PyCFunction)FeatureTable_add_scores, METH_VARARGS,
     "add_scores(tokens, logp, out) -> int: add the rows of the tokens' features to out; how many were known."},
    {"get", (PyCFunction)FeatureTable_get, METH_O, "get(feature) -> row or None."},
    {NULL, NULL, 0, NULL},
};

static PySequenceMethods FeatureTable_as_sequence = {.sq_length = (lenfunc)FeatureTable_len};

static PyTypeObject FeatureTableType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "bot.language._ngram_table.FeatureTable",
    .tp_doc = "Features of the n-gram model by 64-bit hash; FeatureTable(features, min_order, max_order, word_mark).",
    .tp_basicsize = sizeof(FeatureTable),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)FeatureTable_init,
    .tp_dealloc = (destructor)FeatureTable_dealloc,
    .tp_methods = FeatureTable_methods,
    .tp_as_sequence = &FeatureTable_as_sequence,
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_ngram_table", "The n-gram model's feature look-up in C (see ngram.py).", -1,
    NULL, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__ngram_table(void) {
    if (PyType_Ready(&FeatureTableType) < 0) return NULL;
    PyObject *m = PyModule_Create(&module);
    if (!m) return NULL;
    Py_INCREF(&FeatureTableType);
    if (PyModule_AddObject(m, "FeatureTable", (PyObject *)&FeatureTableType) < 0) {
        Py_DECREF(&FeatureTableType);
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
