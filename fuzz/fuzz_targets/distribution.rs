//! Distribution strings: arbitrary text through `Written::parse`, `resolve` for every domain
//! and `check_domain`; whatever is accepted is sampled and inverted. Must never panic, and every
//! refusal must carry a message.
#![no_main]

use libfuzzer_sys::fuzz_target;
use treatysim::cast::Domain;
use treatysim::distribution::{Dist, Sampler, Written};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let written = match Written::parse(text) {
        Ok(w) => w,
        Err(message) => {
            assert!(!message.is_empty());
            return;
        }
    };
    for domain in [
        Some(Domain::Unit),
        Some(Domain::NonNegative),
        Some(Domain::Positive),
        Some(Domain::Real),
        None,
    ] {
        let dist = match written.resolve(domain) {
            Ok(d) => d,
            Err(message) => {
                assert!(!message.is_empty());
                continue;
            }
        };
        if let Some(domain) = domain
            && let Err(message) = dist.check_domain(domain)
        {
            assert!(!message.is_empty());
            continue;
        }
        let sampler = Sampler::new(&dist);
        let mut rng = treatysim::rng::process_rng(data.len() as u64);
        for _ in 0..8 {
            let _ = sampler.sample(&mut rng);
        }
        // The copula inverts correlated parameters; its u never goes below Φ(-14) ≈ 1e-44.
        if !matches!(dist, Dist::Normal { .. } | Dist::LogNormal { .. }) {
            for u in [1e-44, 0.05, 0.5, 0.95, 1.0 - f64::EPSILON / 2.0] {
                let _ = dist.quantile(u);
            }
        }
    }
});
