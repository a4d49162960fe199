/* ap_config: not written yet. */
#include "ap_config.h"
