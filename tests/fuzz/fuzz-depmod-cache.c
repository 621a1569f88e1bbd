/*
 * fuzz-depmod-cache.c — fuzz target of depmod's cache file (--incremental,
 * lib/depmod-cache.c): the input is read as a cache, each of its records
 * fills a module (every string of which is then read), a lookup by path
 * runs, and the modules filled make a new cache, which must be read back
 * whole with as many records.
 *
 * The first byte says how the input is taken: odd (as the magic's first
 * byte is), as the whole file; even, the rest is the records after a
 * header the target seals over it (so that the checksum does not hide the
 * records from the fuzzer), with bits 1-2 of the first byte the parse
 * params (symbol prefix '_', modules read whole) and bits 3-7 with the
 * second byte the number of records.
 */
#include "fuzz.h"
#include "depmod-cache.h"

static void use_module(const struct dm_module *m)
{
	for (size_t i = 0; i < m->n_exports; i++) {
		fuzz_use_str(m->exports[i].name);
		fuzz_use(&m->exports[i].crc, sizeof(m->exports[i].crc));
	}
	for (size_t i = 0; i < m->n_imports; i++) {
		fuzz_use_str(m->imports[i].name + m->imports[i].skip);
		fuzz_use(&m->imports[i].weak, sizeof(m->imports[i].weak));
	}
	for (size_t i = 0; i < m->n_aliases; i++)
		fuzz_use_str(m->aliases[i]);
	for (size_t i = 0; i < m->n_softdeps; i++)
		fuzz_use_str(m->softdeps[i]);
	for (size_t i = 0; i < m->n_weakdeps; i++)
		fuzz_use_str(m->weakdeps[i]);
}

/* Fill a module from every record, then write them again: half copied,
 * half made from the modules, and read that back. */
static void exercise(const struct dm_cache *c, const struct dm_cache_params *params,
		     const struct dm_log *log)
{
	size_t n = dm_cache_count(c), filled = 0;
	struct dm_module *mods = calloc(n ? n : 1, sizeof(*mods)), m = { .path = "/fuzz/a.ko" };
	struct dm_module **ptrs = calloc(n ? n : 1, sizeof(*ptrs));
	struct dm_cache_key *keys = calloc(n ? n : 1, sizeof(*keys)), key = { 0 };
	struct dm_cache *again;
	struct dm_arena arena = { 0 };
	char *image;
	size_t size;

	if (!mods || !ptrs || !keys)
		fuzz_die("calloc");
	for (size_t i = 0; i < n; i++) {
		int found = dm_cache_fill_record(c, i, &mods[filled], &arena);

		if (found < 0)
			fuzz_die("dm_cache_fill_record");
		if (found == 0)
			continue;
		use_module(&mods[filled]);
		mods[filled].path = "/fuzz/module.ko";
		ptrs[filled] = &mods[filled];
		keys[filled] = (struct dm_cache_key){ .stored = true,
						      .record = i % 2 ? 0 : (uint32_t)i + 1 };
		filled++;
	}
	if (dm_cache_fill(c, &m, &key, &arena) < 0)
		fuzz_die("dm_cache_fill");
	fuzz_use(&key.record, sizeof(key.record));
	fuzz_use_str(dm_cache_unchanged(c, keys, filled) ? "unchanged" : "changed");
	if (dm_cache_build(ptrs, keys, filled, c, params, &image, &size) < 0)
		fuzz_die("dm_cache_build");
	if (dm_cache_from_buffer(image, size, "the rebuilt cache", params, log, &again) < 0)
		fuzz_die("dm_cache_from_buffer");
	if (!again || dm_cache_count(again) != filled) {
		fprintf(stderr, "fuzz: %zu records filled, the rebuilt cache has %zu\n", filled,
			again ? dm_cache_count(again) : 0);
		abort();
	}
	dm_cache_close(again);
	dm_arena_release(&arena);
	free(mods);
	free(ptrs);
	free(keys);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dm_log log = { .ctx = fuzz_ctx() };
	struct dm_cache_params params = { 0 };
	struct dm_cache *c;
	size_t image_size, offset = 0, n_records = 0;
	char *image;

	if (size < 2)
		return 0;
	if (!(data[0] & 1)) {
		params = (struct dm_cache_params){ .symbol_prefix = data[0] & 2 ? '_' : '\0',
						   .all_sections = (data[0] & 4) != 0 };
		n_records = (size_t)(data[0] >> 3) | (size_t)data[1] << 5;
		offset = DM_CACHE_HEADER_SIZE;
		data += 2;
		size -= 2;
	}
	image_size = offset + size;
	image = malloc(image_size ? image_size : 1);
	if (!image)
		fuzz_die("malloc");
	memcpy(image + offset, data, size);
	if (offset)
		dm_cache_seal(image, image_size, n_records, &params);
	if (dm_cache_from_buffer(image, image_size, "the input", &params, &log, &c) < 0)
		fuzz_die("dm_cache_from_buffer");
	if (c) {
		exercise(c, &params, &log);
		dm_cache_close(c);
	}
	return 0;
}
