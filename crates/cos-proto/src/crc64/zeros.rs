//! The operator that appends zero bytes to a CRC-64/XZ register, built once and applied
//! many times. [`super::combine`] (through `crc-fast`) rebuilds it from scratch on every
//! call, some 25 squarings of a 64×64 bit matrix for a part of 8 MiB; folding the CRCs of
//! the 128 parts of a 1 GiB transfer that way took 55 ms (`crc64/fold` in benches/core.rs),
//! and a download did it twice, after the last byte had arrived. [`super::concat`] builds
//! it once per length instead (0.5 ms for the same fold).
//!
//! The arithmetic is Mark Adler's (zlib's `crc32_combine`, generalised in his `crccomb.c`):
//! the register is a vector over GF(2), appending one zero bit is a linear map, and
//! appending `n` zero bytes is that map to the power `8n`, taken by repeated squaring.

/// The ECMA-182 polynomial bit-reflected: CRC-64/XZ's register shifts right.
const POLY_REFLECTED: u64 = 0xC96C_5795_D787_0F42;

/// A linear map of 64-bit registers: column `n` is the image of bit `n`.
type Matrix = [u64; 64];

/// Appends `len` zero bytes to a CRC-64/XZ register.
#[derive(Debug, Clone)]
pub(super) struct ZeroBytes {
    len: u64,
    matrix: Matrix,
}

impl ZeroBytes {
    /// The operator for `len` zero bytes.
    pub(super) fn new(len: u64) -> Self {
        // One zero bit: bit 0 falls off the register and XORs the polynomial in; every
        // other bit moves one place down.
        let mut power: Matrix = std::array::from_fn(|n| match n {
            0 => POLY_REFLECTED,
            n => 1 << (n - 1),
        });
        // One zero byte: eight zero bits.
        for _ in 0..3 {
            power = product(&power, &power);
        }
        let mut matrix: Matrix = std::array::from_fn(|n| 1 << n);
        let mut rest = len;
        while rest != 0 {
            if rest & 1 == 1 {
                matrix = product(&power, &matrix);
            }
            rest >>= 1;
            if rest != 0 {
                power = product(&power, &power);
            }
        }
        Self { len, matrix }
    }

    /// The number of zero bytes this operator appends.
    pub(super) fn len(&self) -> u64 {
        self.len
    }

    /// The CRC of `a ‖ b` from `crc_a`, and `crc_b` of a `b` of [`ZeroBytes::len`] bytes.
    /// CRC-64/XZ's initial value and final XOR are equal, so they cancel out here.
    pub(super) fn combine(&self, crc_a: u64, crc_b: u64) -> u64 {
        times(&self.matrix, crc_a) ^ crc_b
    }
}

fn times(matrix: &Matrix, mut vector: u64) -> u64 {
    let mut sum = 0;
    for column in matrix {
        if vector == 0 {
            break;
        }
        if vector & 1 == 1 {
            sum ^= column;
        }
        vector >>= 1;
    }
    sum
}

/// `a · b`: the map that applies `b`, then `a`.
fn product(a: &Matrix, b: &Matrix) -> Matrix {
    std::array::from_fn(|n| times(a, b[n]))
}
