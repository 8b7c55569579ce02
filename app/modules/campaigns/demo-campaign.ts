/**
 * The demo campaign, written for Banner from the facts of the argument in shared/seed.
 * Its slug is part of the public contract.
 */
export const DEMO_CAMPAIGN = {
  slug: "convene-oic-on-kashmir",
  title: "OIC: convene your foreign ministers on Kashmir",
  summary:
    "In 2020 Pakistan asked the Organisation of Islamic Cooperation to call its Council of Foreign Ministers together on Kashmir. Add your name to renew that call.",
  ask: "We call on the Organisation of Islamic Cooperation to convene a session of its Council of Foreign Ministers dedicated to Kashmir, and on friendly states inside and outside the OIC to stand together behind that call.",
  addressed_to: "The Secretary-General and member states of the Organisation of Islamic Cooperation (OIC)",
  goal: 100_000,
  locale: "en",
  argument_md: `## The meeting Pakistan asked for

On **5 August 2019**, India revoked Articles 370 and 35-A, the provisions that had given
Jammu and Kashmir its special constitutional status. From the first anniversary of that
decision, in August 2020, Pakistan's government put Kashmir at the centre of its diplomacy. The
effort was led by Shah Mehmood Qureshi, Pakistan's Foreign Minister at the time (he held the
office from 2018 to 2022), and by the country's diplomats.

One request has been at the heart of it: that the **Organisation of Islamic Cooperation**
bring its **Council of Foreign Ministers (CFM)** together to discuss the status of Kashmir.
It is a modest and reasonable request. The CFM is where the foreign ministers of the OIC's
member states meet to agree on shared positions, and Kashmir is a question on which the
organisation has long said it cares. Yet by August 2020 no such session had been convened.
This campaign takes that call up again.

## Why the foreign ministers, and why now

- **Member states can make it happen.** The OIC's own members have the standing to press for
  a session of the CFM. What is missing is the will to use that influence.
- **Pressure works when it is shared.** Campaigns that combine the voices of many countries
  and many people, such as the Boycott, Divestment and Sanctions movement, have shown that
  coordinated pressure can move governments to the negotiating table. A clear position from
  the OIC's foreign ministers would be the starting point for dialogue on Kashmir.
- **It is a test of principle.** Alongside Palestine, Kashmir has become a measure of whether
  states and peoples stand by the right of self-determination they have long endorsed.

## Friends beyond one forum

Support for the people of Kashmir does not have to wait for every OIC member to agree. By
2020, states such as **Malaysia** and **Türkiye** had already backed the call to end the
military siege in Indian-administered Kashmir. Pakistan has many partners, inside the Muslim
world and beyond it, each able to play a different part. They can act together on a common
platform, and the name of that platform matters far less than putting the voices of Kashmiris
first.

## What your signature does

Every confirmed signature is counted once, by country, and the totals are public. When the
campaign delivers the petition, decision-makers see how many people, and from where, are
asking the OIC to convene its foreign ministers on Kashmir.`,
} as const;

/**
 * Who runs the demo campaign: a made-up coalition, so the page can show who stands behind it the
 * way a real campaign does. Its logo is drawn from shapes (no text to render or translate).
 */
export const DEMO_HOST = {
  slug: "kashmir-solidarity-coalition",
  name: "Kashmir Solidarity Coalition",
  logoSvg: `<svg xmlns="http://www.w3.org/2000/svg" width="256" height="256" viewBox="0 0 64 64">
<rect width="64" height="64" rx="12" fill="#0b6e4f"/>
<path d="M18 12v42" stroke="#fff" stroke-width="4" stroke-linecap="round"/>
<path d="M20 14h26l-6 9 6 9H20z" fill="#f2c14e"/>
</svg>`,
} as const;

/** The version of the ask the translations below were written for (see campaigns.ask_version). */
export const DEMO_ASK_VERSION = 1;

interface CampaignTexts {
  title: string;
  summary: string;
  ask: string;
  addressed_to: string;
  argument_md: string;
}

/**
 * The demo campaign in Banner's other languages, written for Banner from the English text above
 * (the same facts; Latin digits throughout, as everywhere on the site). In the right-to-left
 * texts "35-A" sits between LRI and PDI (U+2066, U+2069): without them the bidi algorithm
 * shows it as "A-35".
 */
export const DEMO_CAMPAIGN_TRANSLATIONS: Record<"ur" | "ar" | "ms" | "tr", CampaignTexts> = {
  ur: {
    title: "او آئی سی: کشمیر پر اپنے وزرائے خارجہ کا اجلاس بلائیں",
    summary:
      "2020 میں پاکستان نے اسلامی تعاون تنظیم سے کشمیر پر اپنی وزرائے خارجہ کونسل کا اجلاس بلانے کا مطالبہ کیا۔ اپنا نام شامل کر کے اس مطالبے کو پھر سے اٹھائیے۔",
    ask: "ہم اسلامی تعاون تنظیم سے مطالبہ کرتے ہیں کہ وہ اپنی وزرائے خارجہ کونسل کا ایک اجلاس صرف کشمیر کے لیے طلب کرے، اور او آئی سی کے اندر اور باہر دوست ممالک سے اپیل کرتے ہیں کہ وہ اس مطالبے کی پشت پر متحد ہو کر کھڑے ہوں۔",
    addressed_to: "اسلامی تعاون تنظیم (او آئی سی) کے سیکرٹری جنرل اور رکن ممالک",
    argument_md: `## وہ اجلاس جس کا پاکستان نے مطالبہ کیا

**5 اگست 2019** کو بھارت نے آرٹیکل 370 اور ⁦35-A⁩ منسوخ کر دیے، یعنی وہ دفعات جن کے تحت جموں و کشمیر کو
خصوصی آئینی حیثیت حاصل تھی۔ اگست 2020 میں اس فیصلے کی پہلی برسی سے حکومتِ پاکستان نے کشمیر کو اپنی سفارت کاری
کا مرکز بنایا۔ اس کوشش کی قیادت اُس وقت کے وزیرِ خارجہ شاہ محمود قریشی (جو 2018 سے 2022 تک اس عہدے پر رہے)
اور ملک کے سفارت کاروں نے کی۔

اس کوشش کے مرکز میں ایک درخواست ہے: کہ **اسلامی تعاون تنظیم** کشمیر کی حیثیت پر غور کے لیے اپنی
**وزرائے خارجہ کونسل (CFM)** کا اجلاس بلائے۔ یہ ایک معتدل اور معقول مطالبہ ہے۔ وزرائے خارجہ کونسل وہ فورم ہے
جہاں او آئی سی کے رکن ممالک کے وزرائے خارجہ مل کر مشترکہ موقف طے کرتے ہیں، اور کشمیر ایسا مسئلہ ہے جس سے
تنظیم عرصے سے اپنی وابستگی ظاہر کرتی آئی ہے۔ اس کے باوجود اگست 2020 تک ایسا کوئی اجلاس طلب نہیں کیا گیا تھا۔
یہ مہم اسی مطالبے کو پھر سے اٹھاتی ہے۔

## وزرائے خارجہ ہی کیوں، اور ابھی کیوں

- **رکن ممالک یہ اجلاس ممکن بنا سکتے ہیں۔** او آئی سی کے اپنے ارکان کو وزرائے خارجہ کونسل کا اجلاس بلوانے
  کے لیے زور دینے کا پورا حق حاصل ہے۔ کمی صرف اس اثر و رسوخ کو استعمال کرنے کے عزم کی ہے۔
- **دباؤ تب کارگر ہوتا ہے جب وہ مشترکہ ہو۔** بائیکاٹ، سرمایہ کاری کی واپسی اور پابندیوں کی تحریک (BDS)
  جیسی مہمات، جو بہت سے ممالک اور بے شمار لوگوں کی آوازیں یکجا کرتی ہیں، دکھا چکی ہیں کہ منظم دباؤ حکومتوں کو
  مذاکرات کی میز تک لا سکتا ہے۔ او آئی سی کے وزرائے خارجہ کا واضح موقف کشمیر پر مکالمے کا نقطۂ آغاز بن سکتا ہے۔
- **یہ اصول کا امتحان ہے۔** فلسطین کے ساتھ ساتھ کشمیر بھی اس بات کی کسوٹی بن چکا ہے کہ ریاستیں اور عوام
  حقِ خود ارادیت کے اس اصول پر کس حد تک قائم ہیں جس کی وہ برسوں سے تائید کرتے آئے ہیں۔

## ایک فورم سے آگے کے دوست

کشمیری عوام کی حمایت کے لیے یہ ضروری نہیں کہ او آئی سی کے ہر رکن کے متفق ہونے کا انتظار کیا جائے۔
2020 تک **ملائیشیا** اور **ترکیہ** جیسے ممالک بھارت کے زیرِ انتظام کشمیر میں فوجی محاصرہ ختم کرنے کے مطالبے
کی حمایت کر چکے تھے۔ مسلم دنیا کے اندر اور اس سے باہر پاکستان کے بہت سے شراکت دار ہیں، اور ہر ایک اپنا الگ کردار
ادا کر سکتا ہے۔ یہ سب ایک مشترکہ پلیٹ فارم پر مل کر کام کر سکتے ہیں، اور اس پلیٹ فارم کا نام اتنا اہم نہیں جتنا
یہ کہ کشمیریوں کی آواز کو سب سے آگے رکھا جائے۔

## آپ کا دستخط کیا کرتا ہے

ہر تصدیق شدہ دستخط ایک ہی بار، ملک کے لحاظ سے گنا جاتا ہے، اور مجموعی تعداد سب کے سامنے ہوتی ہے۔ جب یہ
پٹیشن پیش کی جائے گی تو فیصلہ ساز دیکھ سکیں گے کہ کتنے لوگ، اور کہاں کہاں سے، او آئی سی سے کشمیر پر اپنے
وزرائے خارجہ کا اجلاس بلانے کا مطالبہ کر رہے ہیں۔`,
  },
  ar: {
    title: "ندعو منظمة التعاون الإسلامي إلى جمع وزراء خارجيتها بشأن كشمير",
    summary: "في عام 2020 طالبت باكستان منظمة التعاون الإسلامي بعقد اجتماع لمجلس وزراء خارجيتها بشأن كشمير. أضِف اسمك لتجديد هذا المطلب.",
    ask: "ندعو منظمة التعاون الإسلامي إلى عقد دورة لمجلس وزراء خارجيتها مخصَّصة لكشمير، وندعو الدول الصديقة داخل المنظمة وخارجها إلى الوقوف صفًّا واحدًا خلف هذا المطلب.",
    addressed_to: "الأمين العام لمنظمة التعاون الإسلامي والدول الأعضاء فيها",
    argument_md: `## الاجتماع الذي طلبته باكستان

في **5 أغسطس 2019** ألغت الهند المادتين 370 و⁦35-A⁩، وهما النصّان اللذان منحا جامو وكشمير وضعهما الدستوري
الخاص. ومنذ الذكرى الأولى لذلك القرار، في أغسطس 2020، جعلت الحكومة الباكستانية كشمير محور دبلوماسيتها، وقاد
هذا الجهدَ شاه محمود قريشي، وزير الخارجية الباكستاني آنذاك (شغل المنصب من 2018 إلى 2022)، ومعه
الدبلوماسيون الباكستانيون.

وفي قلب هذا الجهد مطلب واحد: أن تجمع **منظمة التعاون الإسلامي** **مجلس وزراء خارجيتها (CFM)** لبحث وضع
كشمير. إنه مطلب متواضع ومعقول؛ فالمجلس هو المكان الذي يلتقي فيه وزراء خارجية الدول الأعضاء للاتفاق على مواقف
مشتركة، وكشمير قضية طالما أعلنت المنظمة اهتمامها بها. ومع ذلك لم تكن مثل هذه الدورة قد عُقدت حتى أغسطس 2020،
وهذه الحملة تجدّد ذلك المطلب.

## لماذا وزراء الخارجية، ولماذا الآن

- **الدول الأعضاء قادرة على تحقيق ذلك.** يملك أعضاء المنظمة أنفسهم صفة الدفع نحو عقد دورة للمجلس، وما ينقص
  هو الإرادة لاستخدام هذا النفوذ.
- **الضغط ينجح حين يكون مشتركًا.** أظهرت حملات تجمع أصوات بلدان كثيرة وأناس كثيرين، مثل حركة المقاطعة وسحب
  الاستثمارات وفرض العقوبات (BDS)، أن الضغط المنسَّق قادر على دفع الحكومات إلى طاولة التفاوض. وموقف واضح من
  وزراء خارجية المنظمة سيكون نقطة البداية لحوار بشأن كشمير.
- **إنه اختبار للمبادئ.** إلى جانب فلسطين، باتت كشمير معيارًا لمدى التزام الدول والشعوب بحق تقرير المصير الذي
  طالما أيّدته.

## أصدقاء خارج منتدى واحد

لا يتعيّن أن ينتظر دعمُ شعب كشمير موافقةَ كل عضو في المنظمة؛ فبحلول عام 2020 كانت دول مثل **ماليزيا** و**تركيا** قد أيّدت
الدعوة إلى إنهاء الحصار العسكري في كشمير الخاضعة للإدارة الهندية. ولباكستان شركاء كثيرون داخل العالم الإسلامي
وخارجه، يستطيع كلٌّ منهم أداء دور مختلف. ويمكنهم العمل معًا على منصة مشتركة، واسم تلك المنصة أقل أهمية بكثير
من أن يكون صوت الكشميريين في المقدمة.

## ماذا يفعل توقيعك

يُحتسب كل توقيع مؤكَّد مرة واحدة، حسب البلد، والمجاميع معلنة للجميع. وحين تُسلَّم العريضة، سيرى صنّاع القرار
كم شخصًا، ومن أين، يطالبون منظمة التعاون الإسلامي بجمع وزراء خارجيتها بشأن كشمير.`,
  },
  ms: {
    title: "OIC: Adakan mesyuarat menteri-menteri luar anda mengenai Kashmir",
    summary:
      "Pada 2020, Pakistan meminta Pertubuhan Kerjasama Islam mengadakan mesyuarat Majlis Menteri-Menteri Luarnya mengenai Kashmir. Tambahkan nama anda untuk menyuarakan semula seruan itu.",
    ask: "Kami menyeru Pertubuhan Kerjasama Islam supaya mengadakan satu sesi Majlis Menteri-Menteri Luarnya yang khusus membincangkan Kashmir, dan menyeru negara-negara sahabat di dalam dan di luar OIC supaya bersatu menyokong seruan ini.",
    addressed_to: "Setiausaha Agung dan negara-negara anggota Pertubuhan Kerjasama Islam (OIC)",
    argument_md: `## Mesyuarat yang diminta oleh Pakistan

Pada **5 Ogos 2019**, India memansuhkan Perkara 370 dan 35-A, iaitu peruntukan yang memberikan Jammu dan
Kashmir status perlembagaan yang istimewa. Mulai ulang tahun pertama keputusan itu, pada Ogos 2020, kerajaan
Pakistan menjadikan Kashmir teras diplomasinya. Usaha itu diketuai oleh Shah Mehmood Qureshi, Menteri Luar
Pakistan ketika itu (beliau memegang jawatan tersebut dari 2018 hingga 2022), bersama para diplomat negara itu.

Satu permintaan menjadi nadi usaha itu: agar **Pertubuhan Kerjasama Islam** menghimpunkan **Majlis
Menteri-Menteri Luar (CFM)** untuk membincangkan status Kashmir. Permintaan ini sederhana dan munasabah. CFM
ialah tempat menteri-menteri luar negara anggota OIC bertemu untuk menyepakati pendirian bersama, dan Kashmir
ialah isu yang sudah lama dinyatakan penting oleh pertubuhan itu. Namun, sehingga Ogos 2020, sesi sedemikian belum pernah
diadakan. Kempen ini menyuarakan semula seruan itu.

## Mengapa menteri-menteri luar, dan mengapa sekarang

- **Negara anggota mampu merealisasikannya.** Anggota OIC sendiri mempunyai kedudukan untuk mendesak agar sesi
  CFM diadakan. Yang belum ada ialah kemahuan untuk menggunakan pengaruh tersebut.
- **Tekanan berkesan apabila dikongsi.** Kempen yang menggabungkan suara banyak negara dan ramai orang, seperti
  gerakan Boikot, Pelupusan Pelaburan dan Sekatan (BDS), telah membuktikan bahawa tekanan yang diselaraskan
  mampu membawa kerajaan ke meja rundingan. Pendirian yang jelas daripada menteri-menteri luar OIC akan menjadi
  titik permulaan dialog mengenai Kashmir.
- **Ia ujian terhadap prinsip.** Bersama Palestin, Kashmir kini menjadi ukuran sama ada negara dan rakyat
  benar-benar berpegang pada hak menentukan nasib sendiri yang telah lama mereka sokong.

## Sahabat di luar satu forum

Sokongan kepada rakyat Kashmir tidak perlu menunggu persetujuan setiap anggota OIC. Menjelang 2020,
negara seperti **Malaysia** dan **Turki** telah pun menyokong seruan untuk menamatkan kepungan tentera di Kashmir yang
ditadbir India. Pakistan mempunyai ramai rakan, di dalam dan di luar dunia Islam, dan setiap satunya boleh
memainkan peranan yang berbeza. Mereka boleh bertindak bersama di atas satu platform, dan nama platform itu jauh
kurang penting berbanding meletakkan suara rakyat Kashmir di hadapan.

## Apa yang dilakukan oleh tandatangan anda

Setiap tandatangan yang disahkan dikira sekali, mengikut negara, dan jumlahnya dipaparkan kepada umum. Apabila
petisyen ini diserahkan, para pembuat keputusan akan melihat berapa ramai orang, dan dari mana, yang mendesak OIC
menghimpunkan menteri-menteri luarnya mengenai Kashmir.`,
  },
  tr: {
    title: "İİT: Dışişleri bakanlarınızı Keşmir için toplayın",
    summary:
      "Pakistan 2020'de İslam İşbirliği Teşkilatı'ndan Dışişleri Bakanları Konseyi'ni Keşmir gündemiyle toplamasını istedi. Bu çağrıyı yenilemek için siz de adınızı ekleyin.",
    ask: "İslam İşbirliği Teşkilatı'nı Dışişleri Bakanları Konseyi'ni yalnızca Keşmir'i görüşmek üzere toplamaya, İİT'nin içindeki ve dışındaki dost ülkeleri de bu çağrının arkasında birlikte durmaya davet ediyoruz.",
    addressed_to: "İslam İşbirliği Teşkilatı (İİT) Genel Sekreteri ve üye devletler",
    argument_md: `## Pakistan'ın istediği toplantı

**5 Ağustos 2019**'da Hindistan, Cammu ve Keşmir'e özel anayasal statü tanıyan 370. ve 35-A maddelerini
yürürlükten kaldırdı. Bu kararın Ağustos 2020'deki ilk yıl dönümünden itibaren Pakistan hükümeti Keşmir'i
diplomasisinin merkezine koydu; bu çabayı dönemin Dışişleri Bakanı Şah Mahmud Kureyşi (2018-2022 arasında bu
görevdeydi) ve ülkenin diplomatları yürüttü.

Bu çabanın özünde tek bir talep var: **İslam İşbirliği Teşkilatı**'nın, Keşmir'in statüsünü görüşmek üzere
**Dışişleri Bakanları Konseyi**'ni (CFM) toplaması. Bu, ölçülü ve makul bir taleptir. Konsey, İİT üyesi
devletlerin dışişleri bakanlarının ortak tutumlar üzerinde uzlaştığı yerdir ve Keşmir, teşkilatın uzun zamandır
önemsediğini söylediği bir meseledir. Yine de Ağustos 2020'ye kadar böyle bir oturum
toplanmamıştı. Bu kampanya o çağrıyı yeniden dile getiriyor.

## Neden dışişleri bakanları, neden şimdi

- **Üye devletler bunu mümkün kılabilir.** Konseyin toplanması için baskı yapma yetkisi İİT'nin kendi
  üyelerindedir. Eksik olan, bu etkiyi kullanma iradesidir.
- **Baskı, ortak olduğunda işe yarar.** Boykot, Yatırımların Geri Çekilmesi ve Yaptırımlar (BDS) hareketi gibi
  pek çok ülkenin ve pek çok insanın sesini birleştiren kampanyalar, eşgüdümlü baskının hükümetleri müzakere
  masasına getirebildiğini gösterdi. İİT dışişleri bakanlarının açık bir tutumu, Keşmir konusunda diyaloğun
  başlangıç noktası olur.
- **Bu bir ilke sınavıdır.** Filistin'le birlikte Keşmir de devletlerin ve halkların, uzun zamandır savundukları
  kendi kaderini tayin hakkının arkasında durup durmadığının ölçüsü hâline geldi.

## Tek bir forumun ötesindeki dostlar

Keşmir halkına destek, İİT'nin her üyesinin aynı fikre gelmesini beklemek zorunda değil. 2020'ye
gelindiğinde **Malezya** ve **Türkiye** gibi ülkeler, Hindistan yönetimindeki Keşmir'deki askerî kuşatmanın
sona erdirilmesi çağrısını desteklemişti. Pakistan'ın Müslüman dünyasının içinde ve dışında, her biri farklı bir rol üstlenebilecek
pek çok ortağı var. Bu ülkeler ortak bir platformda birlikte hareket edebilir; o platformun adı, Keşmirlilerin
sesini en öne koymaktan çok daha az önemlidir.

## İmzanız ne işe yarar

Onaylanan her imza, ülkesine göre bir kez sayılır ve toplamlar herkese açıktır. Kampanya, dilekçeyi teslim
ettiğinde karar vericiler Keşmir için dışişleri bakanlarını toplaması çağrısıyla İİT'ye kaç kişinin, hangi
ülkelerden seslendiğini görecek.`,
  },
};
