// The portable level: the package's baseline target (SSE2 on x86-64, NEON on arm64), 4 lanes.
#define PK_WIDTH 4
#define PK_NAME pk_kernels_portable
#define PK_LEVEL PKLevelPortable
#include "KernelBody.h"
