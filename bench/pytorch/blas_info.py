"""Which BLAS library a Python process loaded and, for OpenBLAS, the core type and thread count it picked."""
import ctypes
import os


def blas():
    """(libraries, core, threads): the BLAS libraries mapped into this process, and OpenBLAS's core type (e.g.
    'SkylakeX') and thread count ('' where there is no OpenBLAS)."""
    with open("/proc/self/maps") as maps:
        libs = sorted({line.split()[-1] for line in maps if "blas" in line.lower() and "/" in line})
    core = threads = ""
    for lib in libs:
        if "openblas" in os.path.basename(lib).lower():
            try:
                b = ctypes.CDLL(lib)
                b.openblas_get_corename.restype = ctypes.c_char_p
                core = b.openblas_get_corename().decode()
                threads = b.openblas_get_num_threads()
            except (OSError, AttributeError):
                pass
    return libs, core, threads
