//! Đà Nẵng as the seed data names it: districts with some of their wards,
//! hospitals, and the Vietnamese names citizens are given.

/// Districts (quận/huyện) and some of their wards (phường/xã).
pub const DISTRICTS: &[(&str, &str, &[&str])] = &[
    (
        "hai-chau",
        "Quận Hải Châu",
        &[
            "Phường Hải Châu",
            "Phường Thạch Thang",
            "Phường Thanh Bình",
            "Phường Thuận Phước",
            "Phường Hòa Cường",
            "Phường Bình Hiên",
        ],
    ),
    (
        "thanh-khe",
        "Quận Thanh Khê",
        &[
            "Phường Thanh Khê",
            "Phường An Khê",
            "Phường Thạc Gián",
            "Phường Xuân Hà",
            "Phường Chính Gián",
        ],
    ),
    (
        "son-tra",
        "Quận Sơn Trà",
        &[
            "Phường An Hải Bắc",
            "Phường Phước Mỹ",
            "Phường Mân Thái",
            "Phường Thọ Quang",
            "Phường Nại Hiên Đông",
        ],
    ),
    (
        "ngu-hanh-son",
        "Quận Ngũ Hành Sơn",
        &[
            "Phường Mỹ An",
            "Phường Khuê Mỹ",
            "Phường Hòa Hải",
            "Phường Hòa Quý",
        ],
    ),
    (
        "lien-chieu",
        "Quận Liên Chiểu",
        &[
            "Phường Hòa Minh",
            "Phường Hòa Khánh Bắc",
            "Phường Hòa Khánh Nam",
            "Phường Hòa Hiệp Bắc",
        ],
    ),
    (
        "cam-le",
        "Quận Cẩm Lệ",
        &[
            "Phường Hòa Thọ Đông",
            "Phường Hòa Xuân",
            "Phường Khuê Trung",
            "Phường Hòa An",
        ],
    ),
    (
        "hoa-vang",
        "Huyện Hòa Vang",
        &["Xã Hòa Phong", "Xã Hòa Châu", "Xã Hòa Tiến", "Xã Hòa Nhơn"],
    ),
];

/// Hospitals, each with the departments citizens book.
pub const HOSPITALS: &[(&str, &str)] = &[
    ("bv-da-nang", "Bệnh viện Đà Nẵng"),
    ("bv-c", "Bệnh viện C Đà Nẵng"),
    ("bv-phu-san-nhi", "Bệnh viện Phụ sản - Nhi Đà Nẵng"),
];

/// Departments booked at each hospital.
pub const DEPARTMENTS: &[&str] = &["Khám nội", "Khám nhi", "Răng hàm mặt", "Tai mũi họng"];

/// Counters booked at each district's public-service centre.
pub const COUNTERS: &[&str] = &["Hộ tịch", "Đất đai", "Cư trú", "Kinh doanh"];

/// Feedback categories, each handled by the district's office.
pub const CATEGORIES: &[&str] = &[
    "Hạ tầng giao thông",
    "Vệ sinh môi trường",
    "Trật tự đô thị",
    "Chiếu sáng công cộng",
];

/// Family names, most common first.
pub const FAMILY: &[&str] = &[
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ",
    "Hồ", "Ngô", "Dương", "Lý",
];

/// Middle names.
pub const MIDDLE: &[&str] = &[
    "Văn", "Thị", "Minh", "Ngọc", "Hữu", "Thanh", "Quốc", "Thu", "Đức", "Gia",
];

/// Given names.
pub const GIVEN: &[&str] = &[
    "An", "Bình", "Châu", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hiếu", "Hoa", "Hùng", "Khánh",
    "Lan", "Linh", "Long", "Mai", "Nam", "Nga", "Phúc", "Quân", "Sơn", "Tâm", "Thảo", "Trang",
    "Tuấn", "Vy",
];

/// Streets for addresses and feedback locations.
pub const STREETS: &[&str] = &[
    "Bạch Đằng",
    "Lê Duẩn",
    "Nguyễn Văn Linh",
    "Hùng Vương",
    "Trần Phú",
    "Điện Biên Phủ",
    "Nguyễn Tất Thành",
    "Võ Nguyên Giáp",
    "Ngô Quyền",
    "Tôn Đức Thắng",
    "Hoàng Diệu",
    "Hàm Nghi",
];

/// Titles of feedback reports.
pub const REPORTS: &[&str] = &[
    "Đèn đường hỏng",
    "Ổ gà trên mặt đường",
    "Rác thải tồn đọng",
    "Lấn chiếm vỉa hè",
    "Cống thoát nước bị tắc",
    "Cây xanh có nguy cơ gãy đổ",
];
