/*
 * toml.c: a TOML 1.0 reader producing a cJSON tree with hidden type tags
 * (see toml.h).  (Stub: the implementation is being written.)
 */
#include "base.h"
#include "toml.h"

int
fg_toml_check(const char *buf, size_t len, const char *name,
    struct fg_error *err)
{
	return fg_seterr(err, FG_EUNSUPPORTED, "%s: TOML reader not implemented yet", name);
}
