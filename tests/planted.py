"""Distinctive text planted in records where it must never reach an export, and where
retention must blank it: the export and retention tests look for it."""

NOTE = "Plantednote Xylophone said her ex follows her"
STREET = "Plantedstreet Quokka Lane"
ROUTE = "Plantedroute Wombat Parade loop"
PATROL_NOTE = "Plantedpatrolnote Narwhal debrief"
CONTACT_NAME = "Plantedcontact Zebediah Quillfeather"
