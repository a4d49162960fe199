/* ap_db: not written yet. */
#include "ap_db.h"
