// libm functions behind a call the Swift optimizer cannot see through.
//
// LLVM rewrites `pow(x, 2.0)` with a constant exponent as `x * x`, which is correctly rounded,
// while glibc's `pow` is not always (about 1 argument in 1,200 differs in the last bit). Code
// that must reproduce another program's libm results bit for bit calls these instead.
#include "CPruningKernels.h"
#include <math.h>

double pk_libm_pow(double x, double y) { return pow(x, y); }
