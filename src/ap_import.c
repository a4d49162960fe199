/* ap_import: not written yet. */
#include "ap_import.h"
