// OpenBLAS's CBLAS interface (Debian: libopenblas-dev). Linked by name so the
// gallery search always runs on OpenBLAS, never on the reference BLAS.
#include <cblas.h>
// openblas_get_config / openblas_get_num_threads are OpenBLAS extensions declared in its cblas.h.
