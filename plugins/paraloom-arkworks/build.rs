//! Exposes PyO3's `Py_3_xx` cfgs: reading Python ints uses `PyLong_AsNativeBytes` from 3.13 on.

fn main() {
    pyo3_build_config::use_pyo3_cfgs();
}
