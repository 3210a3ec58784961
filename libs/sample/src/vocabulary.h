// The words the sample generator builds customers and events from: real provinces, cities
// and districts with their licence-plate prefixes, industries, sales organisation, call
// center, products, car models and the phrases sales reps and agents write. They live in
// the binary rather than in data files so that the demo, tests and the load generator make
// the same data anywhere, with nothing to install.
#pragma once

#include <array>

#include "custflow/v1/customer.pb.h"
#include "custflow/v1/interaction.pb.h"

namespace custflow::sample::vocabulary {

// A name with a weight, for picking in proportion.
struct Weighted {
  const char* name;
  int weight;
};

enum class SalesRegion { kSouth, kEast, kNorth, kCentralWest };

struct Place {
  const char* province;
  const char* city;
  std::array<const char*, 2> districts;
  const char* city_en;       // for English company names
  const char* plate_prefix;  // province abbreviation and city letter, e.g. "粤B"
  SalesRegion sales_region;
  int weight;
};

inline constexpr std::array<Place, 15> kPlaces = {{
    {"广东省", "深圳市", {"南山区", "福田区"}, "Shenzhen", "粤B", SalesRegion::kSouth, 14},
    {"广东省", "广州市", {"天河区", "越秀区"}, "Guangzhou", "粤A", SalesRegion::kSouth, 12},
    {"福建省", "厦门市", {"思明区", "湖里区"}, "Xiamen", "闽D", SalesRegion::kSouth, 4},
    {"浙江省", "杭州市", {"西湖区", "滨江区"}, "Hangzhou", "浙A", SalesRegion::kEast, 9},
    {"江苏省", "南京市", {"鼓楼区", "建邺区"}, "Nanjing", "苏A", SalesRegion::kEast, 6},
    {"江苏省", "苏州市", {"姑苏区", "吴中区"}, "Suzhou", "苏E", SalesRegion::kEast, 6},
    {"上海市", "上海市", {"浦东新区", "徐汇区"}, "Shanghai", "沪A", SalesRegion::kEast, 12},
    {"山东省", "青岛市", {"市南区", "黄岛区"}, "Qingdao", "鲁B", SalesRegion::kEast, 4},
    {"北京市", "北京市", {"海淀区", "朝阳区"}, "Beijing", "京N", SalesRegion::kNorth, 11},
    {"天津市", "天津市", {"南开区", "和平区"}, "Tianjin", "津A", SalesRegion::kNorth, 3},
    {"湖北省", "武汉市", {"洪山区", "江汉区"}, "Wuhan", "鄂A", SalesRegion::kCentralWest, 5},
    {"湖南省", "长沙市", {"岳麓区", "雨花区"}, "Changsha", "湘A", SalesRegion::kCentralWest, 3},
    {"四川省", "成都市", {"武侯区", "锦江区"}, "Chengdu", "川A", SalesRegion::kCentralWest, 6},
    {"重庆市", "重庆市", {"渝北区", "江北区"}, "Chongqing", "渝A", SalesRegion::kCentralWest, 3},
    {"陕西省", "西安市", {"雁塔区", "碑林区"}, "Xi'an", "陕A", SalesRegion::kCentralWest, 2},
}};

struct Industry {
  const char* name;
  const char* company_kind;     // completes a Chinese company name
  const char* company_kind_en;  // the same in an English name, before "Co., Ltd."
  const char* needs;
  int weight;
};

inline constexpr std::array<Industry, 10> kIndustries = {{
    {"制造业", "机械制造有限公司", "Machinery", "产线设备联网，需要售后工单与备件管理", 16},
    {"零售", "商贸有限公司", "Trading", "门店会员统一管理，希望打通线上线下订单", 14},
    {"汽车", "汽车销售服务有限公司", "Automobile Sales & Service", "展厅客流与售后回访管理，需要对接DMS", 14},
    {"信息技术", "科技有限公司", "Technology", "销售线索分配与商机跟进，关注API集成", 14},
    {"金融", "融资租赁有限公司", "Financial Leasing", "客户分级与合规留痕，要求数据本地存储", 8},
    {"物流", "供应链管理有限公司", "Supply Chain Management", "呼叫中心与运单查询集成，旺季话务量大", 10},
    {"医疗健康", "医疗器械有限公司", "Medical Devices", "经销商与医院客户管理，需要装机回访", 8},
    {"教育", "教育科技有限公司", "Education Technology", "课程咨询线索跟进，关注转化率分析", 6},
    {"房地产", "置业有限公司", "Real Estate", "案场来访登记与置业顾问跟进", 5},
    {"餐饮", "餐饮管理有限公司", "Catering Management", "多门店会员营销与满意度调查", 5},
}};

// Trade names of Chinese companies with their pinyin.
struct TradeName {
  const char* zh;
  const char* pinyin;
};

inline constexpr std::array<TradeName, 16> kTradeNames = {{
    {"华南", "Huanan"},
    {"东方", "Dongfang"},
    {"新锐", "Xinrui"},
    {"恒通", "Hengtong"},
    {"宏达", "Hongda"},
    {"金盛", "Jinsheng"},
    {"瑞丰", "Ruifeng"},
    {"中科", "Zhongke"},
    {"天成", "Tiancheng"},
    {"嘉和", "Jiahe"},
    {"鼎信", "Dingxin"},
    {"远航", "Yuanhang"},
    {"星辰", "Xingchen"},
    {"海纳", "Haina"},
    {"汇通", "Huitong"},
    {"永泰", "Yongtai"},
}};

// Brands of foreign-invested companies, named in English.
inline constexpr std::array<const char*, 10> kForeignBrands = {
    "Northstar",     "Bluewater", "Evergreen", "Silverline", "Pacific Crest",
    "Harbor Bridge", "Redwood",   "Summit",    "Clearview",  "Oakmont"};

struct Surname {
  const char* zh;
  const char* pinyin;
};

inline constexpr std::array<Surname, 20> kSurnames = {{
    {"张", "Zhang"}, {"王", "Wang"}, {"李", "Li"},    {"赵", "Zhao"}, {"陈", "Chen"},
    {"刘", "Liu"},   {"杨", "Yang"}, {"黄", "Huang"}, {"周", "Zhou"}, {"吴", "Wu"},
    {"徐", "Xu"},    {"孙", "Sun"},  {"胡", "Hu"},    {"朱", "Zhu"},  {"高", "Gao"},
    {"林", "Lin"},   {"何", "He"},   {"郭", "Guo"},   {"马", "Ma"},   {"罗", "Luo"},
}};

struct GivenName {
  const char* zh;
  const char* pinyin;
};

inline constexpr std::array<GivenName, 20> kGivenNames = {{
    {"伟", "Wei"},        {"芳", "Fang"},       {"娜", "Na"},         {"敏", "Min"},
    {"静", "Jing"},       {"丽", "Li"},         {"强", "Qiang"},      {"磊", "Lei"},
    {"军", "Jun"},        {"洋", "Yang"},       {"勇", "Yong"},       {"艳", "Yan"},
    {"杰", "Jie"},        {"涛", "Tao"},        {"秀英", "Xiuying"},  {"建华", "Jianhua"},
    {"晓东", "Xiaodong"}, {"婷婷", "Tingting"}, {"志强", "Zhiqiang"}, {"海燕", "Haiyan"},
}};

// English first names, used with a Chinese surname ("David Wang").
inline constexpr std::array<const char*, 10> kEnglishNames = {"David", "Emily",   "Kevin",  "Grace", "Jason",
                                                              "Linda", "Michael", "Vivian", "Tony",  "Cathy"};

inline constexpr std::array<const char*, 4> kPublicMailDomains = {"163.com", "qq.com", "126.com",
                                                                  "outlook.com"};

// Mobile number prefixes of the three carriers.
inline constexpr std::array<const char*, 16> kMobilePrefixes = {"130", "131", "132", "135", "136", "137",
                                                                "138", "139", "150", "158", "159", "177",
                                                                "180", "186", "188", "199"};

inline constexpr std::array<Weighted, 8> kSources = {{
    {"展会", 12},
    {"网站", 24},
    {"转介绍", 14},
    {"来电", 16},
    {"广告投放", 10},
    {"电话营销", 10},
    {"社交媒体", 8},
    {"老客户", 6},
}};

inline constexpr std::array<Weighted, 4> kEnterpriseSizes = {
    {{"large", 15}, {"medium", 30}, {"SME", 40}, {"micro", 15}}};

inline constexpr std::array<const char*, 7> kNotes = {
    "年底有预算，Q4启动采购", "决策人是采购总监", "对价格比较敏感",  "要求本地化部署",
    "老客户介绍，信任度高",   "正在对比两家竞品", "希望先试用一个月"};

struct Owner {
  const char* name;
  const char* department;
  const char* team;
  SalesRegion sales_region;
  bool key_accounts;  // the key-account department takes large enterprises anywhere
};

inline constexpr std::array<Owner, 12> kOwners = {{
    {"李娜", "华南销售部", "一组", SalesRegion::kSouth, false},
    {"王强", "华南销售部", "二组", SalesRegion::kSouth, false},
    {"黄婷婷", "华南销售部", "二组", SalesRegion::kSouth, false},
    {"刘洋", "华东销售部", "一组", SalesRegion::kEast, false},
    {"周杰", "华东销售部", "一组", SalesRegion::kEast, false},
    {"徐静", "华东销售部", "二组", SalesRegion::kEast, false},
    {"赵磊", "华北销售部", "一组", SalesRegion::kNorth, false},
    {"孙丽", "华北销售部", "一组", SalesRegion::kNorth, false},
    {"陈涛", "中西部销售部", "一组", SalesRegion::kCentralWest, false},
    {"杨帆", "中西部销售部", "一组", SalesRegion::kCentralWest, false},
    {"Emily Chen", "大客户部", "KA", SalesRegion::kSouth, true},
    {"David Zhang", "大客户部", "KA", SalesRegion::kNorth, true},
}};

// Follow-up stages of a potential customer; closed and lost customers end in 赢单 / 输单.
inline constexpr std::array<Weighted, 4> kOpenStages = {
    {{"初步接触", 35}, {"需求确认", 30}, {"方案报价", 20}, {"商务谈判", 15}}};

// Call-center queues, each answered by its own team.
struct Queue {
  const char* name;
  const char* team;
  std::array<const char*, 2> agents;
  int weight;
};

inline constexpr const char* kCallCenterDepartment = "客服中心";

inline constexpr std::array<Queue, 4> kQueues = {{
    {"售前咨询", "售前组", {"周婷", "吴磊"}, 35},
    {"售后服务", "售后组", {"郑爽", "Grace Lin"}, 40},
    {"投诉建议", "投诉组", {"马超", "林晓东"}, 15},
    {"大客户专线", "VIP组", {"何静", "Kevin Wu"}, 10},
}};

inline constexpr std::array<Weighted, 4> kInboundDispositions = {
    {{"resolved", 50}, {"info-provided", 25}, {"transferred", 10}, {"callback-requested", 15}}};
inline constexpr std::array<Weighted, 4> kOutboundDispositions = {
    {{"reached", 45}, {"appointment-made", 20}, {"no-answer", 25}, {"callback-requested", 10}}};

struct Product {
  const char* name;
  int64_t min_yuan;
  int64_t max_yuan;
  int weight;
};

inline constexpr std::array<Product, 8> kProducts = {{
    {"云呼叫中心 标准版", 20'000, 80'000, 16},
    {"CRM 企业版", 50'000, 300'000, 18},
    {"数据分析平台", 100'000, 800'000, 8},
    {"智能仓储系统", 200'000, 1'500'000, 4},
    {"工业传感器套件", 5'000, 60'000, 12},
    {"POS收银系统", 3'000, 30'000, 14},
    {"年度维保服务", 10'000, 100'000, 16},
    {"延保服务", 3'000, 15'000, 12},
}};

inline constexpr const char* kSite = "https://www.custflow-demo.cn";

inline constexpr std::array<const char*, 9> kPages = {
    "/",        "/products/crm", "/products/call-center", "/products/analytics",
    "/pricing", "/cases/retail", "/cases/automotive",     "/blog/customer-insight",
    "/about"};

inline constexpr std::array<Weighted, 5> kReferrers = {{{"", 30},
                                                        {"https://www.baidu.com/", 35},
                                                        {"https://www.google.com/", 10},
                                                        {"https://mp.weixin.qq.com/", 15},
                                                        {"https://www.zhihu.com/", 10}}};

inline constexpr std::array<Weighted, 3> kDevices = {{{"mobile", 55}, {"desktop", 40}, {"tablet", 5}}};

inline constexpr std::array<Weighted, 7> kComplaintCategories = {{{"quality", 25},
                                                                  {"delivery", 20},
                                                                  {"attitude", 12},
                                                                  {"billing", 12},
                                                                  {"installation", 10},
                                                                  {"after-sales", 15},
                                                                  {"price", 6}}};
inline constexpr std::array<Weighted, 3> kSuggestionCategories = {
    {{"feature", 50}, {"service-process", 30}, {"documentation", 20}}};
inline constexpr std::array<const char*, 5> kResolutions = {
    "更换配件并上门安装", "退还差价并致歉", "安排工程师远程排障", "补发货物", "升级处理，主管回访"};

inline constexpr std::array<const char*, 6> kFollowUpContents = {
    "电话回访，确认需求", "上门拜访，演示系统功能", "发送产品方案与报价单",
    "微信沟通试用情况",   "邀请参加线下展会",       "与采购确认合同条款"};
inline constexpr std::array<const char*, 6> kCustomerFeedback = {"对报价有兴趣",   "需要内部讨论后答复",
                                                                 "认为价格偏高",   "希望增加定制功能",
                                                                 "对演示效果满意", "暂时没有预算"};
inline constexpr std::array<const char*, 5> kNextSteps = {"下周二上门演示", "三天内发送正式报价",
                                                          "安排技术交流会", "月底前回访", "准备合同草案"};

inline constexpr std::array<Weighted, 3> kSurveys = {
    {{"售后满意度回访", 45}, {"季度满意度调查", 35}, {"NPS调查", 20}}};
// Answers lean to the positive, as real surveys do.
inline constexpr std::array<int, 5> kSatisfactionWeights = {5, 8, 17, 35, 35};

struct CarModel {
  const char* name;
  const char* wmi;  // world manufacturer identifier, VIN positions 1-3
  const char* vds;  // vehicle descriptor, VIN positions 4-8
  bool new_energy;  // green plates carry one more character
  int weight;
};

inline constexpr std::array<CarModel, 10> kCarModels = {{
    {"大众帕萨特", "LSV", "CC2T1", false, 14},
    {"丰田凯美瑞", "LVG", "B1AE3", false, 14},
    {"本田雅阁", "LHG", "CV165", false, 12},
    {"日产轩逸", "LGB", "H52E0", false, 12},
    {"别克GL8", "LSG", "UA84L", false, 8},
    {"宝马5系", "LBV", "53102", false, 8},
    {"奔驰C级", "LE4", "GF4JB", false, 8},
    {"特斯拉Model 3", "LRW", "3E7EA", true, 8},
    {"比亚迪汉", "LGX", "C76C4", true, 10},
    {"吉利博越", "L6T", "79G2E", false, 6},
}};

inline constexpr std::array<Weighted, 6> kVisitPurposes = {{{"maintenance", 40},
                                                            {"repair", 20},
                                                            {"purchase", 10},
                                                            {"test-drive", 10},
                                                            {"special-request", 10},
                                                            {"inspection", 10}}};

struct Advisor {
  const char* name;
  const char* department;
  const char* team;
};

inline constexpr std::array<Advisor, 3> kServiceAdvisors = {{{"孙浩", "售后服务部", "服务顾问组"},
                                                             {"钱敏", "售后服务部", "服务顾问组"},
                                                             {"Jack Liu", "售后服务部", "服务顾问组"}}};
inline constexpr std::array<Advisor, 2> kSalesConsultants = {
    {{"郭晓东", "展厅销售部", "销售顾问组"}, {"Vivian Ma", "展厅销售部", "销售顾问组"}}};

}  // namespace custflow::sample::vocabulary
