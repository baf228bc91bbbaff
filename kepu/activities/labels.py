"""The audiences and topics the public filters by, one name per language:
(slug, Simplified Chinese, Traditional Chinese, Vietnamese, English). Plain data, so that the demo
data and the benchmark generator share it without setting Django up."""

AUDIENCES = [
    ("youth", "青少年", "青少年", "Thanh thiếu niên", "Young people"),
    ("farmers", "农民", "農民", "Nông dân", "Farmers"),
    ("elders", "老年人", "老年人", "Người cao tuổi", "Elders"),
    ("community", "社区居民", "社區居民", "Cư dân", "Community residents"),
    ("workers", "产业工人", "產業工人", "Công nhân", "Workers"),
    ("officials", "领导干部和公务员", "領導幹部和公務員", "Cán bộ, công chức", "Officials"),
    ("scientists", "科技工作者", "科技工作者", "Nhà khoa học", "Scientists and engineers"),
    ("parents", "家长", "家長", "Phụ huynh", "Parents"),
]
TOPICS = [
    ("carbon", "碳达峰碳中和", "碳達峰碳中和", "Trung hòa carbon", "Carbon neutrality"),
    ("water", "水资源与节水", "水資源與節水", "Tài nguyên nước", "Water"),
    ("health", "卫生健康", "衛生健康", "Sức khỏe", "Health"),
    ("emergency", "应急避险", "應急避險", "Ứng phó khẩn cấp", "Emergencies and safety"),
    ("rural", "乡村振兴", "鄉村振興", "Phát triển nông thôn", "Rural revitalisation"),
    ("epidemic", "疫情防控", "疫情防控", "Phòng, chống dịch", "Epidemic prevention"),
    ("aerospace", "航空航天", "航空航天", "Hàng không vũ trụ", "Aerospace"),
    ("scientists", "科学家精神", "科學家精神", "Tinh thần nhà khoa học", "Scientists' spirit"),
    ("innovation", "科技创新", "科技創新", "Đổi mới sáng tạo", "Innovation"),
]
