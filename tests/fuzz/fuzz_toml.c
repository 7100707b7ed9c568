/*
 * fuzz_toml.c: libFuzzer target for the TOML reader.  Every input must
 * parse or fail with a message naming NAME:LINE:COL (or a limit), and a
 * parsed tree must convert to tagged JSON and print.  Built with
 * -DFG_FUZZ=ON and clang.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "flamegraph.h"
#include "toml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fg_error err = {0};
	cJSON *root = NULL, *tagged;
	char *txt;

	if (toml_parse((const char *)data, size, "f", &root, &err) != 0) {
		if (err.code == FG_EPARSE && strncmp(err.msg, "f:", 2) != 0)
			abort();
		return 0;
	}
	if ((tagged = toml_tagged(root)) != NULL) {
		txt = cJSON_PrintUnformatted(tagged);
		free(txt);
		cJSON_Delete(tagged);
	}
	cJSON_Delete(root);
	return 0;
}
