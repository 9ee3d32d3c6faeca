//! The opaque points: one frozen Python object per point, holding an arkworks affine point.
//!
//! The protocol hands points around in Python lists, so a point must be a Python object; batch
//! calls then read a whole list in one pass (a type check and a 64- or 128-byte copy per point)
//! before releasing the GIL. Points are stored affine because MSM bases and pairing inputs are
//! affine: batch calls never normalise their inputs, and batch results are normalised together
//! with one shared inversion.

use ark_bn254::{g1, g2, Fr, G1Affine, G2Affine};
use ark_ec::scalar_mul::glv::GLVConfig;
use ark_ec::short_weierstrass::{Affine, SWCurveConfig};
use pyo3::prelude::*;
use pyo3::pyclass::boolean_struct::True;
use pyo3::PyClass;

use crate::affine::to_affine;
use crate::coordinates::Coordinate;
use crate::errors::InvalidPointError;

/// A point of G1 (y² = x³ + 3 over Fq).
#[pyclass(frozen, eq, hash, module = "paraloom_arkworks._native")]
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct G1(G1Affine);

/// A point of G2 (the twist y² = x³ + 3/(9 + u) over Fq2), always in the order-r subgroup.
#[pyclass(frozen, eq, hash, module = "paraloom_arkworks._native")]
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct G2(G2Affine);

#[pymethods]
impl G1 {
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        describe::<Self>(py, self)
    }

    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Reduced<'py>> {
        reduce::<Self>(py, self)
    }
}

#[pymethods]
impl G2 {
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        describe::<Self>(py, self)
    }

    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Reduced<'py>> {
        reduce::<Self>(py, self)
    }
}

/// "G1((x, y))", "G1(None)": the affine form, as it goes in.
fn describe<T: PyPoint>(py: Python<'_>, point: &T) -> PyResult<String> {
    Ok(format!("{}({})", T::GROUP, to_affine(py, &point.affine())?.repr()?))
}

/// What `__reduce__` returns: a constructor and its arguments.
type Reduced<'py> = (Bound<'py, PyAny>, (Bound<'py, PyAny>,));

/// Pickling and copying go through the affine form and `g1_from_affine`/`g2_from_affine`,
/// like every other way in, so an unpickled point is validated again.
fn reduce<'py, T: PyPoint>(py: Python<'py>, point: &T) -> PyResult<Reduced<'py>> {
    let constructor = format!("{}_from_affine", T::GROUP.to_lowercase());
    let rebuild = py.import("paraloom_arkworks._native")?.getattr(constructor)?;
    Ok((rebuild, (to_affine(py, &point.affine())?,)))
}

/// What the generic operations need to know about G1 and G2.
pub trait PyPoint: PyClass<Frozen = True> + Sync + Copy + for<'py> IntoPyObject<'py> {
    type Config: SWCurveConfig<BaseField: Coordinate, ScalarField = Fr> + GLVConfig;
    /// "G1" or "G2", as error messages name the group.
    const GROUP: &'static str;
    /// The accepted affine form, for "is not ..." messages.
    const SHAPE: &'static str;
    /// The equation, for "is not on ..." messages.
    const CURVE: &'static str;

    fn wrap(point: Affine<Self::Config>) -> Self;
    fn affine(&self) -> Affine<Self::Config>;
}

impl PyPoint for G1 {
    type Config = g1::Config;
    const GROUP: &'static str = "G1";
    const SHAPE: &'static str = "a pair of integer coordinates below q";
    const CURVE: &'static str = "the curve y² = x³ + 3";

    fn wrap(point: G1Affine) -> Self {
        Self(point)
    }

    fn affine(&self) -> G1Affine {
        self.0
    }
}

impl PyPoint for G2 {
    type Config = g2::Config;
    const GROUP: &'static str = "G2";
    const SHAPE: &'static str = "a pair of Fq2 coordinates ((x0, x1), (y0, y1)) below q";
    const CURVE: &'static str = "the twist y² = x³ + 3/(9 + u)";

    fn wrap(point: G2Affine) -> Self {
        Self(point)
    }

    fn affine(&self) -> G2Affine {
        self.0
    }
}

/// The arkworks point behind one opaque point.
pub fn read_point<T: PyPoint>(value: &Bound<'_, PyAny>) -> PyResult<Affine<T::Config>> {
    value.cast::<T>().map(|point| point.get().affine()).map_err(|_| foreign::<T>(value, ""))
}

/// The arkworks points behind a sequence of opaque points, in one pass.
pub fn read_points<T: PyPoint>(values: &Bound<'_, PyAny>) -> PyResult<Vec<Affine<T::Config>>> {
    let mut points = Vec::with_capacity(values.len().unwrap_or(0));
    for (index, value) in values.try_iter()?.enumerate() {
        let value = value?;
        let point =
            value.cast::<T>().map_err(|_| foreign::<T>(&value, &format!(" at index {index}")))?;
        points.push(point.get().affine());
    }
    Ok(points)
}

/// Opaque points for Python.
pub fn wrap_all<T: PyPoint>(points: Vec<Affine<T::Config>>) -> Vec<T> {
    points.into_iter().map(T::wrap).collect()
}

/// Another backend's point (or an affine tuple) passed where this backend's point belongs.
fn foreign<T: PyPoint>(value: &Bound<'_, PyAny>, position: &str) -> PyErr {
    let kind = value.get_type().name().map_or_else(|_| "?".to_owned(), |name| name.to_string());
    InvalidPointError::new_err(format!(
        "{} point{position} is a {kind}, not a point of the arkworks backend \
         (points enter through {}_from_affine)",
        T::GROUP,
        T::GROUP.to_lowercase()
    ))
}
