/* The five capability sets of process.capabilities, applied with libcap. */
#ifndef HUSK_CAPS_H
#define HUSK_CAPS_H

#include "config/spec.h"
#include "base/error.h"

/* Drop every capability not in the bounding set; a requested one husk itself lacks is an error
 * naming it. Call while still privileged, before the user switch. */
int caps_drop_bounding(const struct spec_capabilities *c, struct error *err);
/* Set effective/permitted/inheritable exactly, then the ambient set. Call after the user switch
 * (with PR_SET_KEEPCAPS set before it). */
int caps_apply(const struct spec_capabilities *c, struct error *err);

#endif
