/* ap_csv: not written yet. */
#include "ap_csv.h"
