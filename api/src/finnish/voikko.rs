//! A small binding of libvoikko (MPL-2.0), loaded at run time with dlopen so
//! that nothing GPL is linked. A Voikko handle is not thread-safe: every
//! thread gets its own, with a cache of the words it has analysed.

use std::cell::RefCell;
use std::collections::HashMap;
use std::ffi::{c_char, c_void, CStr, CString};
use std::ptr;
use std::rc::Rc;
use std::sync::OnceLock;

use libloading::Library;

type Init = unsafe extern "C" fn(*mut *const c_char, *const c_char, *const c_char) -> *mut c_void;
type Terminate = unsafe extern "C" fn(*mut c_void);
type Analyze = unsafe extern "C" fn(*mut c_void, *const c_char) -> *mut *mut c_void;
type FreeAnalysis = unsafe extern "C" fn(*mut *mut c_void);
type Value = unsafe extern "C" fn(*const c_void, *const c_char) -> *mut c_char;
type FreeValue = unsafe extern "C" fn(*mut c_char);

/// The functions of libvoikko this binding uses.
struct Api {
    _library: Library,
    init: Init,
    terminate: Terminate,
    analyze: Analyze,
    free_analysis: FreeAnalysis,
    value: Value,
    free_value: FreeValue,
}

/// One morphological analysis of a word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Analysis {
    /// The base form, e.g. `lähihoitaja` for `lähihoitajaksi`.
    pub baseform: String,
    /// Voikko's WORDBASES, e.g. `+lähi+hoita(hoitaa)+ja(+ja)`.
    pub wordbases: String,
    /// Voikko's STRUCTURE, e.g. `=pppp=pppppppppp`.
    pub structure: String,
}

static API: OnceLock<Result<Api, String>> = OnceLock::new();

fn load() -> Result<Api, String> {
    let names = [
        "libvoikko.so.1",
        "libvoikko.so",
        "libvoikko.1.dylib",
        "libvoikko-1.dll",
    ];
    let mut last = String::new();
    for name in names {
        // SAFETY: libvoikko's initialisers have no preconditions.
        match unsafe { Library::new(name) } {
            Ok(library) => unsafe {
                let api = Api {
                    init: *library
                        .get::<Init>(b"voikkoInit\0")
                        .map_err(|e| e.to_string())?,
                    terminate: *library
                        .get::<Terminate>(b"voikkoTerminate\0")
                        .map_err(|e| e.to_string())?,
                    analyze: *library
                        .get::<Analyze>(b"voikkoAnalyzeWordCstr\0")
                        .map_err(|e| e.to_string())?,
                    free_analysis: *library
                        .get::<FreeAnalysis>(b"voikko_free_mor_analysis\0")
                        .map_err(|e| e.to_string())?,
                    value: *library
                        .get::<Value>(b"voikko_mor_analysis_value_cstr\0")
                        .map_err(|e| e.to_string())?,
                    free_value: *library
                        .get::<FreeValue>(b"voikko_free_mor_analysis_value_cstr\0")
                        .map_err(|e| e.to_string())?,
                    _library: library,
                };
                return Ok(api);
            },
            Err(e) => last = e.to_string(),
        }
    }
    Err(format!("libvoikko not found ({last})"))
}

fn api() -> Result<&'static Api, String> {
    API.get_or_init(load).as_ref().map_err(Clone::clone)
}

/// A handle of this thread, and what it has analysed.
struct Handle {
    raw: *mut c_void,
    cache: HashMap<String, Rc<Vec<Analysis>>>,
}

impl Drop for Handle {
    fn drop(&mut self) {
        if let Ok(api) = api() {
            // SAFETY: `raw` came from voikkoInit and is terminated once.
            unsafe { (api.terminate)(self.raw) };
        }
    }
}

/// Words analysed per thread before the cache is emptied.
const CACHE_LIMIT: usize = 200_000;

thread_local! {
    static HANDLE: RefCell<Option<Handle>> = const { RefCell::new(None) };
}

fn open() -> Result<Handle, String> {
    let api = api()?;
    let mut error: *const c_char = ptr::null();
    let lang = CString::new("fi").expect("no NUL");
    // SAFETY: valid NUL-terminated strings; a null path means the default dictionary path.
    let raw = unsafe { (api.init)(&mut error, lang.as_ptr(), ptr::null()) };
    if raw.is_null() {
        let reason = if error.is_null() {
            "unknown error".to_string()
        } else {
            // SAFETY: libvoikko returns a static NUL-terminated message.
            unsafe { CStr::from_ptr(error) }
                .to_string_lossy()
                .into_owned()
        };
        return Err(format!(
            "the Finnish dictionary could not be opened: {reason}"
        ));
    }
    Ok(Handle {
        raw,
        cache: HashMap::new(),
    })
}

/// Checks that libvoikko and the Finnish dictionary load.
pub fn available() -> Result<(), String> {
    HANDLE.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.is_none() {
            *slot = Some(open()?);
        }
        Ok(())
    })
}

unsafe fn value(api: &Api, analysis: *const c_void, key: &CStr) -> String {
    let raw = (api.value)(analysis, key.as_ptr());
    if raw.is_null() {
        return String::new();
    }
    let text = CStr::from_ptr(raw).to_string_lossy().into_owned();
    (api.free_value)(raw);
    text
}

fn analyze_uncached(api: &Api, handle: *mut c_void, word: &str) -> Vec<Analysis> {
    let Ok(word) = CString::new(word) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    // SAFETY: the handle is this thread's; the list is NULL-terminated and freed once.
    unsafe {
        let list = (api.analyze)(handle, word.as_ptr());
        if list.is_null() {
            return out;
        }
        let mut i = 0;
        while !(*list.add(i)).is_null() {
            let a = *list.add(i);
            out.push(Analysis {
                baseform: value(api, a, c"BASEFORM"),
                wordbases: value(api, a, c"WORDBASES"),
                structure: value(api, a, c"STRUCTURE"),
            });
            i += 1;
        }
        (api.free_analysis)(list);
    }
    out
}

/// Every analysis of `word` (empty for unknown words), cached per thread.
pub fn analyze(word: &str) -> Result<Rc<Vec<Analysis>>, String> {
    let api = api()?;
    HANDLE.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.is_none() {
            *slot = Some(open()?);
        }
        let handle = slot.as_mut().expect("opened above");
        if let Some(hit) = handle.cache.get(word) {
            return Ok(hit.clone());
        }
        if handle.cache.len() >= CACHE_LIMIT {
            handle.cache.clear();
        }
        let result = Rc::new(analyze_uncached(api, handle.raw, word));
        handle.cache.insert(word.to_string(), result.clone());
        Ok(result)
    })
}
