/* Unit tests for ap_date and ap_period (written with the date module). */
#include "ap_test.h"

int main(void)
{
    CHECK(1);
    return ap_test_done();
}
