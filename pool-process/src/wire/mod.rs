//! What crosses between a link and its worker: the value codec and the
//! message formats.

pub(crate) mod caught;
pub(crate) mod codec;
pub(crate) mod inherit;
pub(crate) mod message;
