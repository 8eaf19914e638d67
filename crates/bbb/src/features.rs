//! The features a meeting can be created without (`disabledFeatures` of
//! `create`), as BBB 2.6 and 2.7 name them.

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

macro_rules! features {
    ($($variant:ident => $name:literal),+ $(,)?) => {
        /// One of BBB's `disabledFeatures` values.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Feature {
            $($variant),+
        }

        impl Feature {
            pub const ALL: &'static [Feature] = &[$(Feature::$variant),+];

            /// The name BBB reads, in its own spelling.
            pub fn name(self) -> &'static str {
                match self {
                    $(Feature::$variant => $name),+
                }
            }
        }
    };
}

features! {
    BreakoutRooms => "breakoutRooms",
    Captions => "captions",
    Chat => "chat",
    DownloadPresentationWithAnnotations => "downloadPresentationWithAnnotations",
    ExternalVideos => "externalVideos",
    ImportPresentationWithAnnotationsFromBreakoutRooms => "importPresentationWithAnnotationsFromBreakoutRooms",
    ImportSharedNotesFromBreakoutRooms => "importSharedNotesFromBreakoutRooms",
    Layouts => "layouts",
    LearningDashboard => "learningDashboard",
    Polls => "polls",
    Screenshare => "screenshare",
    SharedNotes => "sharedNotes",
    VirtualBackgrounds => "virtualBackgrounds",
    CustomVirtualBackgrounds => "customVirtualBackgrounds",
    LiveTranscription => "liveTranscription",
    Presentation => "presentation",
    CameraAsContent => "cameraAsContent",
    SnapshotOfCurrentSlide => "snapshotOfCurrentSlide",
    DownloadPresentationOriginalFile => "downloadPresentationOriginalFile",
    DownloadPresentationConvertedToPdf => "downloadPresentationConvertedToPdf",
    Timer => "timer",
    LearningDashboardDownloadSessionData => "learningDashboardDownloadSessionData",
}

impl fmt::Display for Feature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{0:?} is not a feature BBB can disable (such as chat, polls, screenshare or breakoutRooms)"
)]
pub struct UnknownFeature(pub String);

impl FromStr for Feature {
    type Err = UnknownFeature;

    /// BBB's own spelling only: it ignores any other, so a typo would
    /// silently leave the feature on.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .iter()
            .copied()
            .find(|f| f.name() == s)
            .ok_or_else(|| UnknownFeature(s.to_string()))
    }
}

/// The features a tier's meetings are created without; empty, none.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DisabledFeatures(BTreeSet<Feature>);

impl DisabledFeatures {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn contains(&self, feature: Feature) -> bool {
        self.0.contains(&feature)
    }

    /// In BBB's order of names, without repeats.
    pub fn iter(&self) -> impl Iterator<Item = Feature> + '_ {
        self.0.iter().copied()
    }

    pub fn names(&self) -> Vec<&'static str> {
        self.iter().map(Feature::name).collect()
    }
}

impl FromIterator<Feature> for DisabledFeatures {
    fn from_iter<I: IntoIterator<Item = Feature>>(iter: I) -> Self {
        Self(iter.into_iter().collect())
    }
}

impl FromStr for DisabledFeatures {
    type Err = UnknownFeature;

    /// A comma list as `disabledFeatures` takes it; spaces around names
    /// and empty items are ignored, so `""` is the empty set.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.split(',')
            .map(str::trim)
            .filter(|f| !f.is_empty())
            .map(Feature::from_str)
            .collect()
    }
}

impl fmt::Display for DisabledFeatures {
    /// The comma list `create` takes, and the store keeps.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.names().join(","))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_reads_back_as_it_is_written() {
        let set: DisabledFeatures = " polls, chat,,chat ".parse().unwrap();
        assert_eq!(set.names(), ["chat", "polls"]);
        assert_eq!(set.to_string().parse::<DisabledFeatures>().unwrap(), set);
    }

    #[test]
    fn an_empty_list_disables_nothing() {
        let set: DisabledFeatures = "".parse().unwrap();
        assert!(set.is_empty());
        assert_eq!(set.to_string(), "");
    }

    #[test]
    fn an_unknown_feature_is_named() {
        let err = "chat,webcam".parse::<DisabledFeatures>().unwrap_err();
        assert_eq!(err, UnknownFeature("webcam".into()));
        assert!(err.to_string().starts_with("\"webcam\" is not a feature"));
    }

    #[test]
    fn the_spelling_is_bbbs() {
        assert!("Chat".parse::<Feature>().is_err());
        assert_eq!("timer".parse::<Feature>().unwrap(), Feature::Timer);
        for f in Feature::ALL {
            assert_eq!(f.name().parse::<Feature>().unwrap(), *f);
        }
    }
}
