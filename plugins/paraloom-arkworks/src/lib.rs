//! `paraloom_arkworks._native`: paraloom's `CurveBackend` protocol over the arkworks crates.
//!
//! Every protocol method is a module function of the same name and parameters, so the Python
//! backend class is a table of these functions with no Python frame in between. The functions
//! here only pick the group; the work lives in the modules they call.

mod affine;
mod coordinates;
mod errors;
mod glv;
mod groups;
mod ints;
mod lem;
mod ntt;
mod pairing;
mod points;
mod scalars;

use pyo3::prelude::*;

#[pymodule]
mod _native {
    use ark_bn254::{g1, g2, G1Affine, G2Affine};
    use ark_ec::AffineRepr;
    use pyo3::prelude::*;

    use crate::affine::{
        batch_from_affine, batch_to_affine, from_affine, is_in_subgroup, is_on_curve, to_affine,
    };
    use crate::groups;
    use crate::lem::batch_from_lem;
    use crate::ntt::{transform, Direction};
    use crate::points::{read_point, read_points, wrap_all, PyPoint};

    #[pymodule_export]
    use crate::points::{G1, G2};

    type Any<'py> = Bound<'py, PyAny>;

    #[pyfunction]
    fn g1_identity() -> G1 {
        G1::wrap(G1Affine::zero())
    }

    #[pyfunction]
    fn g1_generator() -> G1 {
        G1::wrap(G1Affine::generator())
    }

    #[pyfunction]
    fn g2_identity() -> G2 {
        G2::wrap(G2Affine::zero())
    }

    #[pyfunction]
    fn g2_generator() -> G2 {
        G2::wrap(G2Affine::generator())
    }

    #[pyfunction]
    fn g1_is_on_curve(point: &Any<'_>) -> bool {
        is_on_curve::<g1::Config>(point)
    }

    #[pyfunction]
    fn g2_is_on_curve(point: &Any<'_>) -> bool {
        is_on_curve::<g2::Config>(point)
    }

    #[pyfunction]
    fn g2_is_in_subgroup(point: &Any<'_>) -> bool {
        is_in_subgroup::<g2::Config>(point)
    }

    #[pyfunction]
    fn g1_from_affine(point: &Any<'_>) -> PyResult<G1> {
        from_affine::<G1>(point).map(G1::wrap)
    }

    #[pyfunction]
    fn g1_to_affine<'py>(py: Python<'py>, point: &Any<'py>) -> PyResult<Any<'py>> {
        to_affine(py, &read_point::<G1>(point)?)
    }

    #[pyfunction]
    fn g1_batch_from_affine(py: Python<'_>, points: &Any<'_>) -> PyResult<Vec<G1>> {
        batch_from_affine::<G1>(py, points).map(wrap_all)
    }

    #[pyfunction]
    fn g1_batch_to_affine<'py>(py: Python<'py>, points: &Any<'py>) -> PyResult<Vec<Any<'py>>> {
        batch_to_affine(py, &read_points::<G1>(points)?)
    }

    #[pyfunction]
    fn g2_from_affine(point: &Any<'_>) -> PyResult<G2> {
        from_affine::<G2>(point).map(G2::wrap)
    }

    #[pyfunction]
    fn g2_to_affine<'py>(py: Python<'py>, point: &Any<'py>) -> PyResult<Any<'py>> {
        to_affine(py, &read_point::<G2>(point)?)
    }

    #[pyfunction]
    fn g2_batch_from_affine(py: Python<'_>, points: &Any<'_>) -> PyResult<Vec<G2>> {
        batch_from_affine::<G2>(py, points).map(wrap_all)
    }

    #[pyfunction]
    fn g2_batch_to_affine<'py>(py: Python<'py>, points: &Any<'py>) -> PyResult<Vec<Any<'py>>> {
        batch_to_affine(py, &read_points::<G2>(points)?)
    }

    #[pyfunction]
    #[pyo3(signature = (data, *, first = 0))]
    fn g1_batch_from_lem(py: Python<'_>, data: &[u8], first: usize) -> PyResult<Vec<G1>> {
        batch_from_lem::<G1>(py, data, first).map(wrap_all)
    }

    #[pyfunction]
    #[pyo3(signature = (data, *, first = 0))]
    fn g2_batch_from_lem(py: Python<'_>, data: &[u8], first: usize) -> PyResult<Vec<G2>> {
        batch_from_lem::<G2>(py, data, first).map(wrap_all)
    }

    #[pyfunction]
    fn g1_add(a: &Any<'_>, b: &Any<'_>) -> PyResult<G1> {
        groups::add(a, b)
    }

    #[pyfunction]
    fn g1_neg(a: &Any<'_>) -> PyResult<G1> {
        groups::neg(a)
    }

    #[pyfunction]
    fn g1_mul(py: Python<'_>, point: &Any<'_>, scalar: &Any<'_>) -> PyResult<G1> {
        groups::mul(py, point, scalar)
    }

    #[pyfunction]
    fn g1_eq(a: &Any<'_>, b: &Any<'_>) -> PyResult<bool> {
        groups::eq::<G1>(a, b)
    }

    #[pyfunction]
    fn g2_add(a: &Any<'_>, b: &Any<'_>) -> PyResult<G2> {
        groups::add(a, b)
    }

    #[pyfunction]
    fn g2_neg(a: &Any<'_>) -> PyResult<G2> {
        groups::neg(a)
    }

    #[pyfunction]
    fn g2_mul(py: Python<'_>, point: &Any<'_>, scalar: &Any<'_>) -> PyResult<G2> {
        groups::mul(py, point, scalar)
    }

    #[pyfunction]
    fn g2_eq(a: &Any<'_>, b: &Any<'_>) -> PyResult<bool> {
        groups::eq::<G2>(a, b)
    }

    #[pyfunction]
    fn g1_msm(py: Python<'_>, points: &Any<'_>, scalars: &Any<'_>) -> PyResult<G1> {
        groups::msm(py, points, scalars)
    }

    #[pyfunction]
    fn g2_msm(py: Python<'_>, points: &Any<'_>, scalars: &Any<'_>) -> PyResult<G2> {
        groups::msm(py, points, scalars)
    }

    #[pyfunction]
    fn g1_batch_mul(py: Python<'_>, points: &Any<'_>, scalar: &Any<'_>) -> PyResult<Vec<G1>> {
        groups::batch_mul(py, points, scalar)
    }

    #[pyfunction]
    fn g2_batch_mul(py: Python<'_>, points: &Any<'_>, scalar: &Any<'_>) -> PyResult<Vec<G2>> {
        groups::batch_mul(py, points, scalar)
    }

    #[pyfunction]
    fn g1_fixed_base_mul(py: Python<'_>, base: &Any<'_>, scalars: &Any<'_>) -> PyResult<Vec<G1>> {
        groups::fixed_base_mul(py, base, scalars)
    }

    #[pyfunction]
    fn g2_fixed_base_mul(py: Python<'_>, base: &Any<'_>, scalars: &Any<'_>) -> PyResult<Vec<G2>> {
        groups::fixed_base_mul(py, base, scalars)
    }

    #[pyfunction]
    fn multi_pairing_check(py: Python<'_>, pairs: &Any<'_>) -> PyResult<bool> {
        crate::pairing::multi_pairing_check(py, pairs)
    }

    #[pyfunction]
    fn ntt<'py>(py: Python<'py>, coefficients: &Any<'py>) -> PyResult<Vec<Any<'py>>> {
        transform(py, coefficients, None, Direction::Forward)
    }

    #[pyfunction]
    fn intt<'py>(py: Python<'py>, evaluations: &Any<'py>) -> PyResult<Vec<Any<'py>>> {
        transform(py, evaluations, None, Direction::Inverse)
    }

    #[pyfunction]
    fn coset_ntt<'py>(
        py: Python<'py>,
        coefficients: &Any<'py>,
        shift: &Any<'py>,
    ) -> PyResult<Vec<Any<'py>>> {
        transform(py, coefficients, Some(shift), Direction::Forward)
    }

    #[pyfunction]
    fn coset_intt<'py>(
        py: Python<'py>,
        evaluations: &Any<'py>,
        shift: &Any<'py>,
    ) -> PyResult<Vec<Any<'py>>> {
        transform(py, evaluations, Some(shift), Direction::Inverse)
    }
}
