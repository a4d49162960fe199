/* ap_ini: not written yet. */
#include "ap_ini.h"
